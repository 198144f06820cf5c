# Draws docs/bench.png from the tables ./dev.sh bench makes out of build/bench/summary.csv:
#   gnuplot -e "linux='...dat'; wine='...dat'; fleet='...dat'; fleet_blocks=N; columns=N; out='docs/bench.png'; footer='...'" bench/plot.gp
# linux: a header line ("case", the implementation names, "bequest/posix_spawn": N columns in
#        all), then one line per case: the median µs in each implementation's column ("-"
#        where not measured), and bequest's ratio to raw posix_spawn last.
# wine:  one line per implementation: name, mean µs, ratio of the means to raw CreateProcessW
#        (bench_spawn.exe --plot; under Wine the times are bimodal, so the median jumps).
# fleet: bench_fleet --table: one block per implementation (name first on its header line),
#        fleet_blocks of them; columns N, delivery µs, delivery µs per child, parent CPU µs
#        per child over the run, CPU µs of the delivery, fds and bytes per child, and the
#        latency of one exit while the others stay alive.

set terminal pngcairo size 1400,1100 font "DejaVu Sans,10" noenhanced
set output out
set datafile separator "\t"
set datafile missing "-"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.9 border -1
set boxwidth 0.9
set grid ytics lc rgb "#dddddd"
set key top left horizontal maxrows 2 font ",9" samplen 1.5
set xtics nomirror scale 0 font ",10"
set ytics nomirror
set border 3

set multiplot
set label 99 footer at screen 0.5, screen 0.012 center font ",9"

# --- Linux: every implementation in every parent state (log scale: fork's cost grows with memory)
set size 0.72, 0.56
set origin 0.0, 0.44
set title "Linux: start a tiny child and wait for it (median, lower is better; bequest's ratio to raw posix_spawn under each case)"
set ylabel "µs per spawn + wait (log scale)"
set logscale y
set yrange [200:*]
set format y "%.0f"
set bmargin 4
set linetype 1 lc rgb "#d62728"
set linetype 2 lc rgb "#1f77b4"
set linetype 3 lc rgb "#aec7e8"
set linetype 4 lc rgb "#7f7f7f"
set linetype 5 lc rgb "#bcbd22"
set linetype 6 lc rgb "#9467bd"
set linetype 7 lc rgb "#2ca02c"
set linetype 8 lc rgb "#ff7f0e"
set linetype 9 lc rgb "#8c564b"
set linetype 10 lc rgb "#17becf"
plot for [i=2:columns-1] linux using i:xtic(strcol(1)."\nbequest ".strcol(columns)."x") \
     title columnheader(i) lt (i-1)

# --- Wine: bequest against raw CreateProcessW (with and without a handle list) and Boost.Process v2
unset label 99
unset logscale y
set size 0.28, 0.575
set origin 0.72, 0.425
set title "Windows under Wine (mean; ratio to raw CreateProcessW)"
set ylabel "ms per spawn + wait"
set yrange [0:*]
set offsets 0, 0, graph 0.18, 0
set key off
set style data boxes
set boxwidth 0.6
set xrange [-0.6:3.6]
set xtics rotate by 20 right font ",9"
set bmargin 6
# bequest red, raw CreateProcessW blue, with a handle list light blue, Boost.Process v2 green:
# as on the Linux panel (bench_spawn_win32.cpp writes them in that order)
colour(i) = i == 0 ? 0xd62728 : i == 1 ? 0x1f77b4 : i == 2 ? 0xaec7e8 : 0x2ca02c
plot wine using 0:($2/1000):(colour($0)):xtic(1) lc rgb variable notitle, \
     '' using 0:($2/1000):(sprintf("%.1f ms\n%.3fx", $2/1000, $3)) with labels offset 0,1.5 font ",8" notitle

# --- The fleet: N children alive at once, all told to exit at the same moment
reset
set datafile separator "\t"
set grid lc rgb "#dddddd"
set logscale xy
set border 3
set xtics nomirror
set ytics nomirror
set xlabel "children alive at once (N, log scale)"
set key top left font ",9" samplen 2
set linetype 1 lc rgb "#d62728" lw 2 pt 7
set linetype 2 lc rgb "#ff9896" lw 2 pt 7
set linetype 3 lc rgb "#8c564b" lw 2 pt 5
set linetype 4 lc rgb "#9467bd" lw 2 pt 9
set linetype 5 lc rgb "#ff7f0e" lw 2 pt 11
set linetype 6 lc rgb "#7f7f7f" lw 2 pt 13 dt 2
set size 0.333, 0.4
set origin 0.0, 0.03
set title "Fleet: all N exit at once; until the last exit\nis delivered, per child (median)"
set ylabel "µs per child (log scale)"
plot for [i=0:fleet_blocks-1] fleet index i using 2:4 with linespoints lt (i+1) title columnheader(1)
set origin 0.333, 0.03
set title "Fleet: one child exits while N others stay alive;\nuntil its exit is delivered (mean of 50, median)"
set ylabel "µs per exit (log scale)"
set key off
plot for [i=0:fleet_blocks-1] fleet index i using 2:9 with linespoints lt (i+1) title columnheader(1)
set origin 0.666, 0.03
set title "Fleet: the parent's CPU time over the run\n(spawning included), per child"
set ylabel "CPU µs per child (log scale)"
plot for [i=0:fleet_blocks-1] fleet index i using 2:5 with linespoints lt (i+1) title columnheader(1)

unset multiplot
