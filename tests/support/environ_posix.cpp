// SPDX-License-Identifier: BSL-1.0
// The test's own environment variables, POSIX: bytes, set with setenv.
#include "support/support.hpp"

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace support {
namespace {

std::string hex_of_bytes(const std::string& bytes) {
  std::string out;
  char digits[3];
  for (unsigned char c : bytes) {
    std::snprintf(digits, sizeof digits, "%02X", c);
    out += digits;
  }
  return out;
}

void set_variable(const std::string& name, const std::string& value) {
  if (::setenv(name.c_str(), value.c_str(), 1) != 0) throw std::runtime_error("setenv " + name);
}

}  // namespace

scoped_variable::scoped_variable(std::string name, const std::string& value) : name_(std::move(name)) {
  if (const char* old = std::getenv(name_.c_str())) saved_ = old;
  set_variable(name_, value);
}

scoped_variable::~scoped_variable() {
  if (saved_) {
    ::setenv(name_.c_str(), saved_->c_str(), 1);
  } else {
    ::unsetenv(name_.c_str());
  }
}

variable_not_text::variable_not_text(const std::string& prefix) {
  // 0xFE and 0xFF begin no UTF-8 sequence.
  const std::string name = prefix + "\xFE", value =
                                                "a\xFF"
                                                "b";
  set_variable(name, value);
  for (unsigned char c : name) name_.push_back(c);
  hex_ = hex_of_bytes(name + "=" + value);
}

variable_not_text::~variable_not_text() {
  std::string name;
  for (unsigned c : name_) name += static_cast<char>(c);
  ::unsetenv(name.c_str());
}

}  // namespace support
