#include "graph_test/test_report.hpp"

#include <cstdio>
#include <sstream>

namespace graph_runner::cli::graph_test {
namespace {

std::string duration(double seconds) {
  char text[32];
  if (seconds < 1) std::snprintf(text, sizeof text, "%d ms", static_cast<int>(seconds * 1000 + 0.5));
  else std::snprintf(text, sizeof text, "%.1f s", seconds);
  return text;
}

std::string fixed3(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", seconds);
  return text;
}

// Text for an XML attribute or element: the five entities, other control characters (which
// XML 1.0 cannot hold at all) as '?'.
std::string xml(const std::string& s) {
  std::string out;
  for (const char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') out += '?';
        else out += c;
    }
  }
  return out;
}

std::string first_line(const std::string& s) {
  const auto end = s.find('\n');
  std::string line = s.substr(0, end);
  const auto start = line.find_first_not_of(' ');
  return start == std::string::npos ? line : line.substr(start);
}

}  // namespace

void print_result(std::ostream& out, const TestResult& r) {
  out << (r.passed ? "  PASS  " : "  FAIL  ") << r.name << " (" << duration(r.seconds) << ")\n";
  std::istringstream lines(r.failure);
  for (std::string line; std::getline(lines, line);) out << "      " << line << '\n';
}

std::string totals_line(const std::vector<FileResult>& files) {
  std::size_t tests = 0, passed = 0, broken = 0;
  double seconds = 0;
  for (const auto& f : files) {
    tests += f.tests.size();
    for (const auto& t : f.tests) passed += t.passed;
    broken += !f.broken.empty();
    seconds += f.seconds;
  }
  std::string line = std::to_string(tests) + (tests == 1 ? " test, " : " tests, ") + std::to_string(passed) +
                     " passed, " + std::to_string(tests - passed) + " failed";
  if (broken) line += ", " + std::to_string(broken) + (broken == 1 ? " broken file" : " broken files");
  return line + " (" + duration(seconds) + ")";
}

std::string junit_xml(const std::vector<FileResult>& files) {
  std::size_t tests = 0, failures = 0, errors = 0;
  double seconds = 0;
  std::string suites;
  for (const auto& f : files) {
    std::size_t failed = 0;
    std::string cases;
    for (const auto& t : f.tests) {
      cases += "    <testcase name=\"" + xml(t.name) + "\" classname=\"" + xml(f.path) + "\" time=\"" + fixed3(t.seconds) + "\"";
      if (t.passed) {
        cases += "/>\n";
        continue;
      }
      ++failed;
      cases += ">\n      <failure message=\"" + xml(first_line(t.failure)) + "\" type=\"expectation\">" + xml(t.failure) +
               "</failure>\n    </testcase>\n";
    }
    const bool broken = !f.broken.empty();
    if (broken)
      cases += "    <testcase name=\"(test file)\" classname=\"" + xml(f.path) + "\" time=\"0.000\">\n      <error message=\"" +
               xml(first_line(f.broken)) + "\" type=\"broken test\">" + xml(f.broken) + "</error>\n    </testcase>\n";
    const std::size_t count = f.tests.size() + broken;
    suites += "  <testsuite name=\"" + xml(f.path) + "\" tests=\"" + std::to_string(count) + "\" failures=\"" +
              std::to_string(failed) + "\" errors=\"" + std::to_string(broken) + "\" skipped=\"0\" time=\"" +
              fixed3(f.seconds) + "\">\n" + cases + "  </testsuite>\n";
    tests += count;
    failures += failed;
    errors += broken;
    seconds += f.seconds;
  }
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"graph-runner test\" tests=\"" +
         std::to_string(tests) + "\" failures=\"" + std::to_string(failures) + "\" errors=\"" + std::to_string(errors) +
         "\" time=\"" + fixed3(seconds) + "\">\n" + suites + "</testsuites>\n";
}

}  // namespace graph_runner::cli::graph_test
