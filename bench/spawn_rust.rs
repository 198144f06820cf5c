// SPDX-License-Identifier: BSL-1.0
// bench_spawn's Rust worker: times std::process::Command from inside a Rust program. No
// crates; built by bench/CMakeLists.txt with the machine's rustc. The protocol is the one
// spawn_python.py describes: "state RESIDENT_BYTES EXTRA_FDS", "run THREADS N", "quit".

use std::io::{BufRead, Write};
use std::os::unix::io::IntoRawFd;
use std::process::Command;
use std::time::Instant;

// From the C library that std links anyway: enough to hold descriptors without FD_CLOEXEC.
#[repr(C)]
struct RLimit {
    cur: u64,
    max: u64,
}
extern "C" {
    fn fcntl(fd: i32, cmd: i32, ...) -> i32;
    fn close(fd: i32) -> i32;
    fn getrlimit(resource: i32, rlim: *mut RLimit) -> i32;
    fn setrlimit(resource: i32, rlim: *const RLimit) -> i32;
    fn madvise(addr: *mut u8, len: usize, advice: i32) -> i32;
}
const F_SETFD: i32 = 2;
const RLIMIT_NOFILE: i32 = 7; // Linux
const MADV_POPULATE_WRITE: i32 = 23; // Linux 5.14

struct State {
    blocks: Vec<Vec<u8>>,
    fds: Vec<i32>,
}

fn resident_bytes() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("read /proc/self/statm");
    let pages: usize = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

fn grow_resident(state: &mut State, target: usize) {
    let have = resident_bytes();
    if have >= target {
        return;
    }
    let n = (target - have + 4095) / 4096 * 4096;
    let mut block = vec![0u8; n];
    let p = block.as_mut_ptr();
    // Populating in the kernel is several times faster than a page fault per page (Linux
    // 5.14; on an older kernel this fails and the writes below fault every page in).
    let start = (p as usize + 4095) & !4095;
    unsafe { madvise(start as *mut u8, (p as usize + n - start) & !4095, MADV_POPULATE_WRITE) };
    // Write one byte in every page, so each is really mapped (vec! of zeros may not touch it).
    for i in (0..n).step_by(4096) {
        unsafe { std::ptr::write_volatile(p.add(i), 1) };
    }
    state.blocks.push(block);
}

fn set_extra_fds(state: &mut State, n: usize) -> Result<(), String> {
    let mut lim = RLimit { cur: 0, max: 0 };
    unsafe {
        if getrlimit(RLIMIT_NOFILE, &mut lim) == 0 && lim.cur < (n as u64) + 256 {
            lim.cur = std::cmp::min(lim.max, n as u64 + 256);
            setrlimit(RLIMIT_NOFILE, &lim);
        }
    }
    while state.fds.len() < n {
        let fd = std::fs::File::open("/dev/null").map_err(|e| e.to_string())?.into_raw_fd();
        // std opens with O_CLOEXEC; the state is "without".
        unsafe { fcntl(fd, F_SETFD, 0) };
        state.fds.push(fd);
    }
    while state.fds.len() > n {
        unsafe { close(state.fds.pop().unwrap()) };
    }
    Ok(())
}

fn spawn_once(child: &str) -> Result<(), String> {
    let status = Command::new(child).status().map_err(|e| e.to_string())?;
    if !status.success() {
        return Err("the child did not exit with 0".into());
    }
    Ok(())
}

fn run(child: &str, threads: usize, n: usize) -> Result<Vec<u128>, String> {
    if threads == 1 {
        let mut times = Vec::with_capacity(n);
        for _ in 0..n {
            let t0 = Instant::now();
            spawn_once(child)?;
            times.push(t0.elapsed().as_nanos());
        }
        return Ok(times);
    }
    let t0 = Instant::now();
    let pool: Vec<_> = (0..threads)
        .map(|_| {
            let c = child.to_string();
            std::thread::spawn(move || -> Result<(), String> {
                for _ in 0..n {
                    spawn_once(&c)?;
                }
                Ok(())
            })
        })
        .collect();
    for t in pool {
        t.join().map_err(|_| "a spawning thread panicked".to_string())??;
    }
    Ok(vec![t0.elapsed().as_nanos() / (n * threads) as u128])
}

fn main() {
    let child = std::env::args().nth(1).expect("usage: spawn_rust TINY_CHILD");
    let mut state = State { blocks: Vec::new(), fds: Vec::new() };
    let stdin = std::io::stdin();
    let mut out = std::io::stdout();
    for line in stdin.lock().lines() {
        let line = match line {
            Ok(l) => l,
            Err(_) => return,
        };
        let words: Vec<&str> = line.split_whitespace().collect();
        let answer = match words.as_slice() {
            [] | ["quit"] => return,
            ["state", resident, fds] => {
                grow_resident(&mut state, resident.parse().unwrap_or(0));
                match set_extra_fds(&mut state, fds.parse().unwrap_or(0)) {
                    Ok(()) => "ok".to_string(),
                    Err(e) => format!("error {}", e),
                }
            }
            ["run", threads, n] => match run(&child, threads.parse().unwrap_or(1), n.parse().unwrap_or(1)) {
                Ok(times) => times.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(" "),
                Err(e) => format!("error {}", e),
            },
            _ => format!("error unknown command {}", line),
        };
        writeln!(out, "{}", answer).unwrap();
        out.flush().unwrap();
    }
}
