// All of weft's public API.
#pragma once

#include "weft/blocking.hpp"
#include "weft/errors.hpp"
#include "weft/observe.hpp"
#include "weft/runtime.hpp"
#include "weft/task.hpp"
#include "weft/time.hpp"
