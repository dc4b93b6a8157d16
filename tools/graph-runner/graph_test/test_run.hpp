#pragma once
// Running the tests of one file: read them, build and check every test's graph (a broken
// test stops the file before anything runs), then run each in isolation — a fresh graph
// build and run — and check its outputs.
#include <atomic>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace graph_runner::cli::graph_test {

struct TestResult {
  std::string name;
  bool passed = false;
  double seconds = 0;
  std::string failure;  // what went wrong (lines ending in '\n'); empty when passed
};

struct FileResult {
  std::string path;
  std::string broken;  // the diagnostics ("FILE:LINE:COL: error: ...") of a broken test file
  std::vector<TestResult> tests;
  double seconds = 0;
  bool interrupted = false;  // a signal stopped the tests
};

struct TestOptions {
  std::string filter;  // run only tests whose name contains this
  double timeout_s = 60;
  std::vector<std::filesystem::path> plugin_dirs;
  std::function<void(const TestResult&)> on_result;  // after each test
  // Signals (see RunOptions): stop the running test, run no more.
  const std::atomic<bool>* stop_flag = nullptr;
  const std::atomic<bool>* cancel_flag = nullptr;
};

FileResult run_test_file(const std::string& path, const TestOptions& options);

}  // namespace graph_runner::cli::graph_test
