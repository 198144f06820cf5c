// SPDX-License-Identifier: BSL-1.0
// Win32: start-up data in a pagefile-backed section (CreateFileMapping(INVALID_HANDLE_VALUE)).
//
// Who can write the bytes is decided by handles and by the section's security descriptor:
// - the section is created with a DACL that grants its owner (through the OWNER RIGHTS SID,
//   which also takes away the owner's implicit WRITE_DAC) only query, map-read and
//   READ_CONTROL. The creating handle gets full access all the same (a new unnamed object's
//   creator gets the access it asks for), but a later DuplicateHandle that asks for more
//   access than its source handle has is checked against this DACL and refused;
// - sealing gives up write access in this process: the view becomes PAGE_READONLY and the
//   handle is replaced by a FILE_MAP_READ duplicate;
// - the child receives a FILE_MAP_READ duplicate made in the helper.
// So once sealed, no handle or view anywhere can write the section, and none can be made.
#include "../platform.hpp"
#include "win32.hpp"

#include <sddl.h>

#include <cstring>

namespace bequest::detail::os {
namespace {

constexpr DWORD child_access = FILE_MAP_READ;

/// The security descriptor described above, from LocalAlloc (free with LocalFree).
PSECURITY_DESCRIPTOR read_only_descriptor() noexcept {
  PSECURITY_DESCRIPTOR sd = nullptr;
  // P: protected (no inherited ACEs). OW: OWNER RIGHTS. 0x20005 = READ_CONTROL |
  // SECTION_MAP_READ | SECTION_QUERY.
  if (!::ConvertStringSecurityDescriptorToSecurityDescriptorW(L"D:P(A;;0x20005;;;OW)", SDDL_REVISION_1, &sd, nullptr)) {
    return nullptr;
  }
  return sd;
}

bool reduce_to_read(HANDLE& h) noexcept {
  HANDLE reduced = nullptr;
  // Less access than the source has: no access check, cannot fail for lack of rights.
  if (win32::out_of_handles() ||
      !::DuplicateHandle(::GetCurrentProcess(), h, ::GetCurrentProcess(), &reduced, child_access, FALSE, 0)) {
    return false;
  }
  ::CloseHandle(h);
  h = reduced;
  return true;
}

std::byte* map_view(HANDLE h, DWORD access, std::size_t size) noexcept {
  return static_cast<std::byte*>(::MapViewOfFile(h, access, 0, 0, size));
}

bool is_resource_error(DWORD error) noexcept {
  return error == ERROR_NOT_ENOUGH_MEMORY || error == ERROR_OUTOFMEMORY || error == ERROR_COMMITMENT_LIMIT ||
         error == ERROR_NO_SYSTEM_RESOURCES;
}

}  // namespace

bool create_memory(std::size_t size, memory_object& m, std::error_code& ec) noexcept {
  ec.clear();
  m = memory_object{};
  PSECURITY_DESCRIPTOR sd = read_only_descriptor();
  if (!sd) {
    ec = last_os_error();
    return false;
  }
  SECURITY_ATTRIBUTES sa{};
  sa.nLength = sizeof sa;
  sa.lpSecurityDescriptor = sd;
  sa.bInheritHandle = FALSE;  // never inheritable here; the helper gets its own duplicate
  const auto wide = static_cast<unsigned long long>(size);
  HANDLE h = win32::out_of_handles() ? nullptr
                                     : ::CreateFileMappingW(INVALID_HANDLE_VALUE, &sa, PAGE_READWRITE | SEC_COMMIT,
                                                            static_cast<DWORD>(wide >> 32),
                                                            static_cast<DWORD>(wide & 0xFFFFFFFFu), nullptr);
  const DWORD create_error = ::GetLastError();
  ::LocalFree(sd);
  if (!h) {
    ec = {static_cast<int>(create_error), std::system_category()};
    return false;
  }
  m.handle = h;
  m.size = size;
  m.view = map_view(h, FILE_MAP_READ | FILE_MAP_WRITE, size);
  if (!m.view) {
    ec = last_os_error();
    release_memory(m);
    return false;
  }
  return true;
}

bool create_sealed_copy(const std::byte* header, std::size_t header_size, const void* payload, std::size_t payload_size,
                        keep_mapped map, memory_object& m, std::error_code& ec) noexcept {
  if (!create_memory(header_size + payload_size, m, ec)) return false;
  std::memcpy(m.view, header, header_size);
  if (payload_size) std::memcpy(m.view + header_size, payload, payload_size);
  ::UnmapViewOfFile(m.view);
  m.view = nullptr;
  if (!reduce_to_read(m.handle)) {
    ec = last_os_error();
    release_memory(m);
    return false;
  }
  m.sealed = true;
  if (map == keep_mapped::read_only) {
    m.view = map_view(m.handle, FILE_MAP_READ, m.size);
    if (!m.view) {
      ec = last_os_error();
      release_memory(m);
      return false;
    }
  }
  return true;
}

bool seal_memory(memory_object& m, std::error_code& ec) noexcept {
  ec.clear();
  if (m.sealed) return true;
  DWORD old = 0;
  if (!::VirtualProtect(m.view, m.size, PAGE_READONLY, &old)) {
    ec = last_os_error();
    return false;
  }
  if (!reduce_to_read(m.handle)) {
    ec = last_os_error();
    ::VirtualProtect(m.view, m.size, old, &old);
    return false;
  }
  m.sealed = true;
  return true;
}

void release_memory(memory_object& m) noexcept {
  if (m.view) ::UnmapViewOfFile(m.view);
  if (m.handle) ::CloseHandle(m.handle);
  m = memory_object{};
}

startup_data_errc map_startup_memory(native_handle h, const std::byte*& base, std::size_t& size) noexcept {
  base = nullptr;
  size = 0;
  if (!handle_is_open(h)) return startup_data_errc::bad_handle;
  // Only a section can be mapped: a file, a pipe or any other handle fails here (with
  // ERROR_INVALID_HANDLE, the object type mismatch).
  const std::byte* view = map_view(h, FILE_MAP_READ, 0);
  if (!view) {
    return is_resource_error(::GetLastError()) ? startup_data_errc::map_failed : startup_data_errc::not_shared_memory;
  }
  // The size of a section is not documented to be queryable; the view is. A section made
  // with SEC_COMMIT (as spawn makes them) is committed throughout, so the view is one region
  // of committed pages, a whole number of them, at least as large as the object.
  MEMORY_BASIC_INFORMATION info{};
  if (::VirtualQuery(view, &info, sizeof info) != sizeof info || info.BaseAddress != view ||
      info.AllocationBase != view) {
    ::UnmapViewOfFile(view);
    return startup_data_errc::map_failed;
  }
  if (info.Type != MEM_MAPPED) {  // an image section (SEC_IMAGE) maps as MEM_IMAGE
    ::UnmapViewOfFile(view);
    return startup_data_errc::not_shared_memory;
  }
  base = view;
  // Reserved but uncommitted pages (a SEC_RESERVE section) cannot be read: none of them count.
  size = info.State == MEM_COMMIT ? info.RegionSize : 0;
  return {};
}

void unmap_startup_memory(const std::byte* base, std::size_t size) noexcept {
  (void)size;
  if (base) ::UnmapViewOfFile(base);
}

bool startup_memory_sealed() noexcept { return true; }

}  // namespace bequest::detail::os
