// SPDX-License-Identifier: BSL-1.0
// Win32: a child's terminal (spawn_options::terminal) — a pseudoconsole (ConPTY): making it,
// handing it to CreateProcessW, resizing it, and closing it so that its output ends.
//
// A pseudoconsole's output pipe does not end when the child exits: conhost keeps it open
// until ClosePseudoConsole. So each terminal has a watcher thread that closes the
// pseudoconsole once the child has exited (or when the child object goes), and out() then
// reaches end of file as a pipe does on POSIX. ClosePseudoConsole may wait until the output
// has been read (before Windows 11 24H2): the watcher waits there, not the caller, and the
// child object's destructor drains the output meanwhile.
#include "../child_impl.hpp"
#include "../platform.hpp"
#include "win32.hpp"

#include "../text_format.hpp"

namespace bequest::detail {
namespace win32 {
namespace {

// mingw-w64 declares these only with NTDDI_VERSION >= NTDDI_WIN10_RS5, and a system before
// Windows 10 1809 lacks them: looked up at run time.
using hpcon = void*;
using create_console_fn = HRESULT(WINAPI*)(COORD, HANDLE, HANDLE, DWORD, hpcon*);
using resize_console_fn = HRESULT(WINAPI*)(hpcon, COORD);
using close_console_fn = void(WINAPI*)(hpcon);
// ProcThreadAttributeValue(ProcThreadAttributePseudoConsole = 22, FALSE, TRUE, FALSE).
constexpr DWORD_PTR pseudoconsole_attribute = 22 | 0x00020000;

struct conpty_api {
  create_console_fn create = nullptr;
  resize_console_fn resize = nullptr;
  close_console_fn close = nullptr;
};

template <class F>
F function_named(HMODULE module, const char* name) {
  // Through a generic function pointer type, which any function pointer converts to without
  // a cast-function-type warning.
  return reinterpret_cast<F>(reinterpret_cast<void (*)()>(::GetProcAddress(module, name)));
}

const conpty_api& api() noexcept {
  static const conpty_api found = [] {
    conpty_api a;
    if (HMODULE kernel = ::GetModuleHandleW(L"kernel32.dll")) {
      a.create = function_named<create_console_fn>(kernel, "CreatePseudoConsole");
      a.resize = function_named<resize_console_fn>(kernel, "ResizePseudoConsole");
      a.close = function_named<close_console_fn>(kernel, "ClosePseudoConsole");
    }
    if (!a.create || !a.resize || !a.close) a = conpty_api{};
    return a;
  }();
  return found;
}

std::error_code hresult_error(HRESULT hr) noexcept {
  if (hr == E_NOTIMPL) return make_error_code(std::errc::not_supported);
  if (HRESULT_FACILITY(hr) == FACILITY_WIN32) return {static_cast<int>(HRESULT_CODE(hr)), std::system_category()};
  return {static_cast<int>(hr), std::system_category()};
}

COORD to_coord(terminal_size size) noexcept {
  COORD c;
  c.X = static_cast<SHORT>(size.cols > 0x7FFF ? 0x7FFF : size.cols);
  c.Y = static_cast<SHORT>(size.rows > 0x7FFF ? 0x7FFF : size.rows);
  return c;
}

/// What child_impl::owned_terminal::value points to on Windows.
struct terminal_state {
  hpcon console = nullptr;
  SRWLOCK lock = SRWLOCK_INIT;  ///< shared: the console is in use; exclusive: it is being taken
  HANDLE stop = nullptr;        ///< event: close the console now
  HANDLE process = nullptr;     ///< a duplicate of the child's process handle, once there is one
  HANDLE watcher = nullptr;     ///< the thread that closes the console (created suspended)
  bool watching = false;        ///< the watcher has been resumed
};

void close_console(terminal_state& s) noexcept {
  ::AcquireSRWLockExclusive(&s.lock);
  hpcon h = s.console;
  s.console = nullptr;
  ::ReleaseSRWLockExclusive(&s.lock);
  if (h) api().close(h);  // ends what still runs on it; may wait for the output to be read
}

DWORD WINAPI watch_main(void* arg) {
  auto& s = *static_cast<terminal_state*>(arg);
  HANDLE objects[2] = {s.stop, s.process};
  (void)::WaitForMultipleObjects(s.process ? 2 : 1, objects, FALSE, INFINITE);
  close_console(s);
  return 0;
}

DWORD WINAPI drain_main(void* arg) {
  char buffer[4096];
  std::error_code ec;
  while (os::read_some(static_cast<HANDLE>(arg), buffer, sizeof buffer, ec) > 0) {
  }
  return 0;
}

void destroy(terminal_state* s) noexcept {
  if (s->watcher) ::CloseHandle(s->watcher);
  if (s->process) ::CloseHandle(s->process);
  if (s->stop) ::CloseHandle(s->stop);
  delete s;
}

}  // namespace

bool open_pseudoconsole(terminal_size size, std::string_view program, child_impl& c, failure& f) {
  const conpty_api& conpty = api();
  if (!conpty.create) {
    return spawn_failed(f, program, make_error_code(std::errc::not_supported),
                        "terminal: this system has no pseudoconsole (CreatePseudoConsole needs Windows 10 1809)");
  }
  // Our ends support overlapped I/O (for Asio); conhost's are ordinary blocking ones. None is
  // ever inheritable: conhost gets its ends through CreatePseudoConsole, the child none.
  std::error_code ec;
  pipe_ends input = os::make_async_pipe(pipe_end::write, ec);
  if (ec) return spawn_failed(f, program, ec, "terminal: create the input pipe");
  pipe_ends output = os::make_async_pipe(pipe_end::read, ec);
  if (ec) return spawn_failed(f, program, ec, "terminal: create the output pipe");
  unique_handle drain = os::duplicate_handle(output.read.get(), ec);
  if (ec) return spawn_failed(f, program, ec, "terminal: duplicate the output pipe");

  auto* s = new (std::nothrow) terminal_state;
  if (!s) return spawn_failed(f, program, make_error_code(std::errc::not_enough_memory), "terminal");
  s->stop = ::CreateEventW(nullptr, TRUE, FALSE, nullptr);
  s->watcher = s->stop ? ::CreateThread(nullptr, 0, watch_main, s, CREATE_SUSPENDED, nullptr) : nullptr;
  if (!s->watcher) {
    const std::error_code error = last_os_error();
    destroy(s);
    return spawn_failed(f, program, error, "terminal: start the thread that closes the pseudoconsole");
  }
  const HRESULT hr = conpty.create(to_coord(size), input.read.get(), output.write.get(), 0, &s->console);
  if (FAILED(hr)) {
    s->console = nullptr;
    ::ResumeThread(s->watcher);
    ::SetEvent(s->stop);
    ::WaitForSingleObject(s->watcher, INFINITE);
    destroy(s);
    return spawn_failed(f, program, hresult_error(hr), "terminal: CreatePseudoConsole");
  }
  // conhost holds its own references to its ends now; ours go with `input` and `output`.
  c.in = std::move(input.write);
  c.out = std::move(output.read);
  c.terminal.value = s;
  c.terminal.drain = drain.release();
  return true;
}

native_handle pseudoconsole_of(const child_impl& c) noexcept {
  return c.terminal.value ? static_cast<terminal_state*>(c.terminal.value)->console : nullptr;
}

bool add_pseudoconsole(attribute_list& attributes, native_handle console) noexcept {
  // The value is the HPCON itself, not a pointer to it.
  return attributes.add(pseudoconsole_attribute, console, sizeof(hpcon));
}

void watch_terminal(child_impl& c) noexcept {
  auto* s = static_cast<terminal_state*>(c.terminal.value);
  if (!s || s->watching) return;
  // Without a duplicate the console stays open until the child object goes (as on a failure
  // to duplicate nothing else can be done): out() then ends only then.
  HANDLE process = nullptr;
  if (::DuplicateHandle(::GetCurrentProcess(), c.process, ::GetCurrentProcess(), &process, SYNCHRONIZE, FALSE, 0)) {
    s->process = process;
  }
  s->watching = true;
  ::ResumeThread(s->watcher);
}

}  // namespace win32

namespace os {

void resize_terminal(native_handle t, terminal_size size, std::error_code& ec) noexcept {
  ec.clear();
  auto& s = *static_cast<win32::terminal_state*>(t);
  ::AcquireSRWLockShared(&s.lock);
  const HRESULT hr = s.console ? win32::api().resize(s.console, win32::to_coord(size)) : E_HANDLE;
  ::ReleaseSRWLockShared(&s.lock);
  // E_HANDLE: the child has exited and its console is closed.
  if (hr == E_HANDLE) {
    ec = make_error_code(std::errc::no_child_process);
  } else if (FAILED(hr)) {
    ec = win32::hresult_error(hr);
  }
}

void close_terminal(native_handle& t, native_handle& drain) noexcept {
  auto* s = static_cast<win32::terminal_state*>(t);
  if (s) {
    // Read the output away while the console closes: ClosePseudoConsole may wait for it.
    HANDLE drainer = drain ? ::CreateThread(nullptr, 0, win32::drain_main, drain, 0, nullptr) : nullptr;
    ::SetEvent(s->stop);
    if (!s->watching) ::ResumeThread(s->watcher);
    ::WaitForSingleObject(s->watcher, INFINITE);
    if (drainer) {
      // conhost has gone, so its end of the output is closed and the drain reads to its end;
      // should anything else still hold a writer, stop the read instead of waiting for it.
      if (::WaitForSingleObject(drainer, 5000) == WAIT_TIMEOUT) ::CancelIoEx(drain, nullptr);
      ::WaitForSingleObject(drainer, INFINITE);
      ::CloseHandle(drainer);
    }
    win32::destroy(s);
  }
  if (drain) ::CloseHandle(drain);
  t = invalid_native_handle;
  drain = invalid_native_handle;
}

}  // namespace os
}  // namespace bequest::detail
