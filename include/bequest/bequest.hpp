// SPDX-License-Identifier: BSL-1.0
#pragma once

/// @file
/// The whole of bequest except the Asio integration (`<bequest/asio.hpp>`) and the fmt
/// formatters (`<bequest/format.hpp>`): both are opt-in, and this header needs neither
/// Asio's nor fmt's headers.

#include <bequest/child.hpp>
#include <bequest/config.hpp>
#include <bequest/environment.hpp>
#include <bequest/error.hpp>
#include <bequest/exit_status.hpp>
#include <bequest/handle.hpp>
#include <bequest/inherited.hpp>
#include <bequest/options.hpp>
#include <bequest/run.hpp>
#include <bequest/spawn.hpp>
#include <bequest/startup_data.hpp>
#include <bequest/stdio.hpp>
#include <bequest/version.hpp>
