// SPDX-License-Identifier: BSL-1.0
// Win32: the PROC_THREAD_ATTRIBUTE_LIST that carries the handle list, the parent process and
// the job list to CreateProcessW.
#include "win32.hpp"

#include <new>

namespace bequest::detail::win32 {

attribute_list::~attribute_list() {
  if (list_) ::DeleteProcThreadAttributeList(list_);
}

bool attribute_list::init(DWORD count) noexcept {
  SIZE_T size = 0;
  // The first call only reports the size; it "fails" with ERROR_INSUFFICIENT_BUFFER.
  ::InitializeProcThreadAttributeList(nullptr, count, 0, &size);
  if (size == 0) return false;
  // Pointer-aligned storage: the list holds pointers and sizes.
  storage_.reset(new (std::nothrow) void*[(size + sizeof(void*) - 1) / sizeof(void*)]);
  if (!storage_) {
    ::SetLastError(ERROR_NOT_ENOUGH_MEMORY);
    return false;
  }
  auto* list = reinterpret_cast<LPPROC_THREAD_ATTRIBUTE_LIST>(storage_.get());
  if (!::InitializeProcThreadAttributeList(list, count, 0, &size)) return false;
  list_ = list;
  return true;
}

bool attribute_list::add(DWORD_PTR attribute, void* value, std::size_t size) noexcept {
  return ::UpdateProcThreadAttribute(list_, 0, attribute, value, size, nullptr, nullptr) != FALSE;
}

}  // namespace bequest::detail::win32
