// SPDX-License-Identifier: BSL-1.0
#pragma once

// The values of every handle this process has open, read from the system's handle table. Used
// by the probe (to list what a child received) and by the test support (to count handles:
// Wine's GetProcessHandleCount answers 0, so it cannot show a leak). Windows only.
//
// SystemExtendedHandleInformation (64) is undocumented but stable since Windows XP, works
// under Wine, and, unlike the older class 16, carries full process ids and handle values.

#include <windows.h>
#include <winternl.h>

#include <memory>
#include <vector>

namespace win32_handle_table {

struct entry {
  PVOID object;
  ULONG_PTR process_id;
  ULONG_PTR handle_value;
  ULONG granted_access;
  USHORT creator_back_trace_index;
  USHORT object_type_index;
  ULONG handle_attributes;
  ULONG reserved;
};

struct table {
  ULONG_PTR count;
  ULONG_PTR reserved;
  entry handles[1];
};

/// The handle values the process `pid` holds, in the table's order; empty if the query failed.
inline std::vector<ULONG_PTR> process_handles(ULONG_PTR pid) {
  constexpr ULONG system_extended_handle_information = 64;
  constexpr NTSTATUS status_info_length_mismatch = static_cast<NTSTATUS>(0xC0000004L);
  std::vector<ULONG_PTR> values;
  // Through GetProcAddress with the class as a plain ULONG: winternl.h's enum does not list 64.
  using query_fn = NTSTATUS(NTAPI*)(ULONG, PVOID, ULONG, PULONG);
  const auto query = reinterpret_cast<query_fn>(
      reinterpret_cast<void (*)()>(::GetProcAddress(::GetModuleHandleW(L"ntdll.dll"), "NtQuerySystemInformation")));
  if (!query) return values;
  ULONG size = 1 << 20;
  std::unique_ptr<unsigned char[]> buffer;
  NTSTATUS status;
  do {
    buffer.reset(new unsigned char[size]);
    ULONG needed = 0;
    status = query(system_extended_handle_information, buffer.get(), size, &needed);
    if (status == status_info_length_mismatch) size = (needed > size ? needed : size) * 2;
  } while (status == status_info_length_mismatch);
  if (!NT_SUCCESS(status)) return values;
  const auto* t = reinterpret_cast<const table*>(buffer.get());
  for (ULONG_PTR i = 0; i < t->count; ++i) {
    if (t->handles[i].process_id == pid) values.push_back(t->handles[i].handle_value);
  }
  return values;
}

/// The handle values this process holds.
inline std::vector<ULONG_PTR> current_process_handles() { return process_handles(::GetCurrentProcessId()); }

}  // namespace win32_handle_table
