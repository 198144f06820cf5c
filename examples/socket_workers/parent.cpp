// A pre-fork style server: the parent opens one listening socket and starts workers that
// inherit that socket — and nothing else — under the name "listen". It then connects as a
// client and prints the answers.
#include <bequest/bequest.hpp>

#include <asio.hpp>

#include <cstdint>
#include <filesystem>
#include <iostream>
#include <string>
#include <type_traits>
#include <vector>

// Asio's socket is an int on POSIX and a SOCKET on Windows; bequest's handle is an int or a
// HANDLE. Both name the same kernel object.
template <class Native>
bequest::native_handle to_bequest(Native socket) {
  if constexpr (std::is_pointer_v<bequest::native_handle>) {
    return reinterpret_cast<bequest::native_handle>(static_cast<std::uintptr_t>(socket));
  } else {
    return static_cast<bequest::native_handle>(socket);
  }
}

int main(int, char** argv) {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  const asio::ip::tcp::endpoint address = acceptor.local_endpoint();
  std::cout << "parent: listening on " << address << ", starting 3 workers\n";

  const std::filesystem::path self(argv[0]);
  std::vector<bequest::child> workers;
  for (int i = 0; i < 3; ++i) {
    bequest::spawn_options o;
    o.program = (self.parent_path() / ("socket_worker" + self.extension().string())).string();
    o.args = {std::to_string(i)};
    o.inherit = {{"listen", to_bequest(acceptor.native_handle())}};
    workers.push_back(bequest::spawn(o));
  }
  acceptor.close();  // only the workers hold the listening socket now

  for (int i = 0; i < 6; ++i) {
    asio::ip::tcp::socket s(io);
    s.connect(address);
    asio::write(s, asio::buffer("hello " + std::to_string(i) + "\n"));
    std::string answer;
    asio::read_until(s, asio::dynamic_buffer(answer), '\n');
    std::cout << "parent: got \"" << answer.substr(0, answer.size() - 1) << "\"\n";
  }
  // Leaving main destroys the children: the default destroy_policy::kill stops the workers.
  return 0;
}
