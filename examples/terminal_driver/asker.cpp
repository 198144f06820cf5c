// An interactive program of the kind that behaves differently without a terminal: it asks for
// a name only when it runs on a terminal, and greets whoever answers. terminal_driver runs it
// on a terminal and answers for a user.
#include <string>

#if defined(_WIN32)
#  include <windows.h>
namespace {
HANDLE in = ::GetStdHandle(STD_INPUT_HANDLE);
HANDLE out = ::GetStdHandle(STD_OUTPUT_HANDLE);
bool is_console(HANDLE h) {
  DWORD mode;
  return ::GetConsoleMode(h, &mode) != FALSE;
}
HANDLE open_console(const wchar_t* name) {
  // A console handle wants read and write access, whichever way it is used.
  return ::CreateFileW(name, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, nullptr, OPEN_EXISTING,
                       0, nullptr);
}
bool on_terminal() {
  if (is_console(in) && is_console(out)) return true;
  // Wine does not connect a pseudoconsole child's standard handles (Windows does): there the
  // console is still reachable by name.
  in = open_console(L"CONIN$");
  out = open_console(L"CONOUT$");
  return is_console(in) && is_console(out);
}
void say(const std::string& text) {
  DWORD n;
  ::WriteFile(out, text.data(), static_cast<DWORD>(text.size()), &n, nullptr);
}
bool read_char(char& c) {
  DWORD n = 0;
  return ::ReadFile(in, &c, 1, &n, nullptr) && n == 1;
}
}  // namespace
#else
#  include <unistd.h>
namespace {
bool on_terminal() { return ::isatty(0) == 1 && ::isatty(1) == 1; }
void say(const std::string& text) { (void)!::write(1, text.data(), text.size()); }
bool read_char(char& c) { return ::read(0, &c, 1) == 1; }
}  // namespace
#endif

int main() {
  if (!on_terminal()) return 2;  // nobody to ask
  say("What is your name? ");
  std::string name;
  char c;
  while (read_char(c) && c != '\n' && c != '\r') name += c;
  if (name.empty()) return 3;
  say("Hello, " + name + "! You typed that on a terminal.\n");
  return 0;
}
