// An interactive program of the kind that behaves differently without a terminal: it asks for
// a name only when its input is a terminal, and greets whoever answers. terminal_driver runs
// it on a terminal and answers for a user.
#include <cstdio>
#include <cstring>

#if defined(_WIN32)
#  include <io.h>
static bool on_terminal() { return _isatty(0) != 0 && _isatty(1) != 0; }
#else
#  include <unistd.h>
static bool on_terminal() { return isatty(0) == 1 && isatty(1) == 1; }
#endif

int main() {
  if (!on_terminal()) {
    std::fprintf(stderr, "asker: not on a terminal, nobody to ask\n");
    return 2;
  }
  std::printf("What is your name? ");
  std::fflush(stdout);  // a prompt has no end of line: flush it by hand
  char name[128] = {};
  if (!std::fgets(name, sizeof name, stdin)) return 3;
  name[std::strcspn(name, "\r\n")] = '\0';
  std::printf("Hello, %s! You typed that on a terminal.\n", name);
  return 0;
}
