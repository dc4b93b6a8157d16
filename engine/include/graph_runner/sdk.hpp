#pragma once
/// @file sdk.hpp
/// Everything a plugin author needs: `#include <graph_runner/sdk.hpp>`.

#include "graph_runner/batch.hpp"
#include "graph_runner/column.hpp"
#include "graph_runner/context.hpp"
#include "graph_runner/errors.hpp"
#include "graph_runner/field_path.hpp"
#include "graph_runner/field_schema.hpp"
#include "graph_runner/node.hpp"
#include "graph_runner/params.hpp"
#include "graph_runner/plugin.hpp"
#include "graph_runner/value.hpp"
#include "graph_runner/version.hpp"
