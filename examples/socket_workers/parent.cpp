// A pre-fork style server: the parent opens one listening socket and starts workers that
// inherit that socket — and nothing else — under the name "listen". It then connects as a
// client and prints the answers.
#include <bequest/bequest.hpp>

#include <asio.hpp>

#include <cstdint>
#include <filesystem>
#include <iostream>
#include <string>
#include <system_error>
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

// The listening socket, opened so that the workers can use it with Asio.
struct listener {
  asio::ip::tcp::acceptor::native_handle_type socket;
  asio::ip::tcp::endpoint address;
};

#ifdef _WIN32
// On Windows a socket Asio opens is bound for good to this process's I/O completion port, and
// a socket can be bound to one port only: the workers' Asio could not take it on. So the
// parent opens it with Winsock directly (non-inheritable; bequest passes it by name).
listener open_listener(asio::io_context&) {
  const SOCKET s =
      ::WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, nullptr, 0, WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
  if (s == INVALID_SOCKET) throw std::system_error(::WSAGetLastError(), std::system_category(), "WSASocketW");
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int length = sizeof a;
  if (::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(s, SOMAXCONN) != 0 ||
      ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &length) != 0) {
    const int error = ::WSAGetLastError();
    ::closesocket(s);
    throw std::system_error(error, std::system_category(), "listen on 127.0.0.1");
  }
  return {s, {asio::ip::make_address("127.0.0.1"), ntohs(a.sin_port)}};
}
void close_listener(const listener& l) { ::closesocket(l.socket); }
#else
// On POSIX Asio's own socket (opened with close-on-exec) is the simplest; release() hands
// its descriptor over.
listener open_listener(asio::io_context& io) {
  asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  const asio::ip::tcp::endpoint address = acceptor.local_endpoint();
  return {acceptor.release(), address};
}
void close_listener(const listener& l) { ::close(l.socket); }
#endif

int main(int, char** argv) {
  asio::io_context io;
  const listener l = open_listener(io);
  const asio::ip::tcp::endpoint address = l.address;
  std::cout << "parent: listening on " << address << ", starting 3 workers\n";

  const std::filesystem::path self(argv[0]);
  std::vector<bequest::child> workers;
  for (int i = 0; i < 3; ++i) {
    bequest::spawn_options o;
    o.program = (self.parent_path() / ("socket_worker" + self.extension().string())).string();
    o.args = {std::to_string(i)};
    o.inherit = {{"listen", to_bequest(l.socket)}};
    workers.push_back(bequest::spawn(o));
  }
  close_listener(l);  // only the workers hold the listening socket now

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
