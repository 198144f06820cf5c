// SPDX-License-Identifier: BSL-1.0
// The comparison's Rust peer: std::process::Command, used as its documentation shows
// (Stdio::piped, Child::kill), through the same scenarios as harness.hpp with the same counts.
// std only, no crates: the rogue threads and the canaries call the C library that std links
// anyway (open without O_CLOEXEC, posix_spawn without file actions), as harness.hpp's do.
//
//   compare_rust PROBE SCRATCH_DIR       prints PEER<TAB>SCENARIO<TAB>CELL lines

use std::ffi::CString;
use std::io::Read;
use std::os::raw::{c_char, c_int};
use std::os::unix::io::AsRawFd;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

const SPAWNS: usize = 30;
const ROGUES: usize = 2;
const NAME: &str = "rust std::process";

extern "C" {
    fn open(path: *const c_char, flags: c_int, mode: c_int) -> c_int;
    fn close(fd: c_int) -> c_int;
    fn posix_spawn(pid: *mut c_int, path: *const c_char, fa: *const u8, attr: *const u8,
                   argv: *const *const c_char, envp: *const *const c_char) -> c_int;
    fn waitpid(pid: c_int, status: *mut c_int, options: c_int) -> c_int;
    fn kill(pid: c_int, sig: c_int) -> c_int;
    static environ: *const *const c_char;
}
const O_CREAT: c_int = 0o100; // Linux
const SIGKILL: c_int = 9;
const SIGTERM: c_int = 15;
const WNOHANG: c_int = 1;

/// posix_spawn PROBE ARGS... inheriting everything; the pid or -1.
fn raw_spawn(args: &[&str]) -> c_int {
    let c: Vec<CString> = args.iter().map(|a| CString::new(*a).unwrap()).collect();
    let mut argv: Vec<*const c_char> = c.iter().map(|a| a.as_ptr()).collect();
    argv.push(std::ptr::null());
    let mut pid: c_int = -1;
    let rc = unsafe { posix_spawn(&mut pid, argv[0], std::ptr::null(), std::ptr::null(), argv.as_ptr(), environ) };
    if rc == 0 { pid } else { -1 }
}

fn open_leaky(path: &str) -> c_int {
    let p = CString::new(path).unwrap();
    unsafe { open(p.as_ptr(), O_CREAT, 0o644) } // O_RDONLY, no O_CLOEXEC: on purpose
}

fn fd_target(fd: i32) -> String {
    std::fs::read_link(format!("/proc/self/fd/{}", fd)).map(|p| p.display().to_string()).unwrap_or_default()
}

fn parse_fds(report: &str) -> Vec<(i32, String)> {
    report.lines().filter_map(|l| {
        let (fd, t) = l.split_once(' ')?;
        Some((fd.parse().ok()?, t.to_string()))
    }).collect()
}

struct Rogues {
    stop: Arc<AtomicBool>,
    threads: Vec<std::thread::JoinHandle<()>>,
    reports: Arc<Mutex<Vec<String>>>,
}

impl Rogues {
    fn start(probe: &str, dir: &str) -> Rogues {
        let stop = Arc::new(AtomicBool::new(false));
        let reports = Arc::new(Mutex::new(Vec::new()));
        let threads = (0..ROGUES).map(|t| {
            let (stop, reports, probe, dir) = (stop.clone(), reports.clone(), probe.to_string(), dir.to_string());
            std::thread::spawn(move || {
                let canary = format!("{}/rogue-canary-{}", dir, t);
                let mut k = 0;
                while !stop.load(Ordering::Relaxed) {
                    let fd = open_leaky(&canary);
                    let report = format!("{}/rogue-{}-{}.txt", dir, t, k);
                    let pid = raw_spawn(&[&probe, "fds", &report]);
                    if pid > 0 {
                        let mut status = 0;
                        unsafe { waitpid(pid, &mut status, 0) };
                        reports.lock().unwrap().push(report);
                    }
                    if fd >= 0 { unsafe { close(fd) }; }
                    k += 1;
                }
            })
        }).collect();
        Rogues { stop, threads, reports }
    }
    fn stop(self) -> Vec<String> {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.threads { t.join().unwrap(); }
        let r = self.reports.lock().unwrap().clone();
        r
    }
}

fn capture(probe: &str) -> Result<String, String> {
    let out = Command::new(probe).arg("fds").stdout(Stdio::piped()).output().map_err(|e| e.to_string())?;
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn only_listed(probe: &str, dir: &str) -> Result<String, String> {
    let rogues = Rogues::start(probe, dir);
    let (mut extra, mut rogue) = (0, 0);
    let mut others = std::collections::BTreeSet::new();
    for _ in 0..SPAWNS {
        let mut got_extra = false;
        for (fd, target) in parse_fds(&capture(probe)?) {
            if fd <= 2 { continue; }
            got_extra = true;
            if target.contains("/rogue-canary-") { rogue += 1; } else { others.insert(target); }
        }
        if got_extra { extra += 1; }
    }
    rogues.stop();
    let mut cell = format!("{} of {} children got a descriptor besides stdio and the listed one", extra, SPAWNS);
    if extra > 0 {
        cell += &format!(" ({} rogue canaries", rogue);
        for o in others { cell += &format!(", {}", o); }
        cell += ")";
    }
    cell += "; no listed descriptor (stable std has no way to pass one)";
    Ok(cell)
}

fn leaked(probe: &str, dir: &str) -> Result<String, String> {
    let paths: Vec<String> = (0..3).map(|i| format!("{}/leaked-canary-{}", dir, i)).collect();
    let fds: Vec<c_int> = paths.iter().map(|p| open_leaky(p)).collect();
    let targets: Vec<String> = parse_fds(&capture(probe)?).into_iter().map(|(_, t)| t).collect();
    let crossed = paths.iter().filter(|p| targets.contains(p)).count();
    for fd in fds { unsafe { close(fd) }; }
    Ok(format!("{} of 3 leaked canaries crossed", crossed))
}

fn stdio_to_foreign(probe: &str, dir: &str) -> Result<String, String> {
    let rogues = Rogues::start(probe, dir);
    let mut pipes = Vec::new();
    for _ in 0..SPAWNS {
        let mut c = Command::new(probe).arg("fds").stdin(Stdio::piped()).stdout(Stdio::piped())
            .stderr(Stdio::piped()).spawn().map_err(|e| e.to_string())?;
        let ids = vec![fd_target(c.stdin.as_ref().unwrap().as_raw_fd()),
                       fd_target(c.stdout.as_ref().unwrap().as_raw_fd()),
                       fd_target(c.stderr.as_ref().unwrap().as_raw_fd())];
        drop(c.stdin.take());
        let mut s = String::new();
        c.stdout.take().unwrap().read_to_string(&mut s).ok();
        c.wait().map_err(|e| e.to_string())?;
        pipes.push(ids);
    }
    let reports = rogues.stop();
    let mut text = String::new();
    for r in &reports { text += &std::fs::read_to_string(r).unwrap_or_default(); }
    let reached = pipes.iter().filter(|ids| ids.iter().any(|i| !i.is_empty() && text.contains(&format!(" {}\n", i)))).count();
    Ok(format!("stdio of {} of {} children reached a foreign child ({} foreign children)", reached, SPAWNS, reports.len()))
}

fn bare_name(probe: &str, dir: &str) -> Result<String, String> {
    let cwd = format!("{}/cwd", dir);
    std::fs::create_dir_all(&cwd).map_err(|e| e.to_string())?;
    std::fs::copy(probe, format!("{}/compare-evil", cwd)).map_err(|e| e.to_string())?;
    let old_cwd = std::env::current_dir().map_err(|e| e.to_string())?;
    let old_path = std::env::var("PATH").unwrap_or_default();
    let attempt = |path_value: &str, marker: &str| -> String {
        let _ = std::fs::remove_file(marker);
        std::env::set_var("PATH", path_value);
        std::env::set_current_dir(&cwd).unwrap();
        let r = Command::new("compare-evil").args(["mark", marker]).status();
        std::env::set_current_dir(&old_cwd).unwrap();
        std::env::set_var("PATH", &old_path);
        if std::path::Path::new(marker).exists() { return "ran ./compare-evil".into(); }
        match r { Err(e) => format!("not run ({})", e), Ok(_) => "not run (started something else)".into() }
    };
    let plain = attempt("/usr/bin:/bin", &format!("{}/marker-plain", dir));
    let empty = attempt("/usr/bin::/bin", &format!("{}/marker-empty", dir));
    Ok(format!("PATH=/usr/bin:/bin: {}; PATH with an empty entry: {}", plain, empty))
}

fn victim_at(target: c_int, probe: &str) -> c_int {
    for _ in 0..200 {
        if std::fs::write("/proc/sys/kernel/ns_last_pid", format!("{}", target - 1)).is_err() { return -1; }
        let pid = raw_spawn(&[probe, "sleep"]);
        if pid == target { return pid; }
        let mut status = 0;
        unsafe { kill(pid, SIGKILL); waitpid(pid, &mut status, 0); }
    }
    -1
}

fn kill_after_reap(probe: &str, _dir: &str) -> Result<String, String> {
    let mut c = Command::new(probe).arg("sleep").spawn().map_err(|e| e.to_string())?;
    let pid = c.id() as c_int;
    let mut status = 0;
    unsafe { kill(pid, SIGTERM); waitpid(pid, &mut status, 0); } // another component reaps it
    let victim = victim_at(pid, probe);
    if victim < 0 { return Ok("not measured: could not place a process at the freed pid (needs root)".into()); }
    let said = c.kill().err().map(|e| e.to_string());
    std::thread::sleep(std::time::Duration::from_millis(100));
    let got = unsafe { waitpid(victim, &mut status, WNOHANG) };
    let signaled = (status & 0x7f) != 0 && (status & 0x7f) != 0x7f;
    let mut cell = if got == victim && signaled {
        "killed the unrelated process now at its pid".to_string()
    } else {
        unsafe { kill(victim, SIGKILL); waitpid(victim, &mut status, 0); }
        "no signal reached the process now at its pid".to_string()
    };
    cell += &match said { Some(e) => format!(" (kill said: {})", e), None => " (kill reported success)".into() };
    Ok(cell)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 {
        eprintln!("usage: compare_rust PROBE SCRATCH_DIR");
        std::process::exit(2);
    }
    let dir = format!("{}/rust_std_process", args[2]);
    std::fs::create_dir_all(&dir).unwrap();
    let scenarios: [(&str, fn(&str, &str) -> Result<String, String>); 5] = [
        ("only-listed", only_listed), ("leaked", leaked), ("stdio-to-foreign", stdio_to_foreign),
        ("bare-name", bare_name), ("kill-after-reap", kill_after_reap)];
    for (name, f) in scenarios {
        let cell = f(&args[1], &dir).unwrap_or_else(|e| format!("error: {}", e));
        println!("{}\t{}\t{}", NAME, name, cell);
    }
}
