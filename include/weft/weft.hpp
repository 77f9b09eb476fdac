// All of weft's public API.
#pragma once

#include "weft/blocking.hpp"
#include "weft/cancel.hpp"
#include "weft/chan.hpp"
#include "weft/errors.hpp"
#include "weft/observe.hpp"
#include "weft/parallel.hpp"
#include "weft/pool.hpp"
#include "weft/runtime.hpp"
#include "weft/select.hpp"
#include "weft/sync.hpp"
#include "weft/task.hpp"
#include "weft/time.hpp"
