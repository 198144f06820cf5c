// SPDX-License-Identifier: BSL-1.0
// Uses bequest::asio, the package's asio component: bequest plus standalone Asio.
#include <bequest/bequest.hpp>
#if __has_include(<bequest/asio.hpp>)
#  include <bequest/asio.hpp>
#endif

#include <asio.hpp>

#include <cstdio>

int main() {
  asio::io_context io;
  bool ran = false;
  asio::post(io, [&] { ran = bequest::exit_status::exited(0).success(); });
  io.run();
  std::puts(ran ? "consumer_asio: ok" : "consumer_asio: FAILED");
  return ran ? 0 : 1;
}
