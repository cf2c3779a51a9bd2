#include "command.hpp"

#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>

#include <iterator>

namespace passerelle::testing {

CommandResult runCommand(const std::string& program, const std::vector<std::string>& args) {
  Poco::Pipe out;
  auto handle = Poco::Process::launch(program, args, nullptr, &out, &out);
  Poco::PipeInputStream in(out);
  std::string output((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return {handle.wait(), output};
}

}  // namespace passerelle::testing
