// Fuzz target: what the CLI does with the daemon's answer: the HTTP/1.1 response parser, the
// envelope decoder and every renderer in every output format. Each must give text or a clear
// error ("invalid response from microovnd: ..."), never crash or throw.
#include <cstdint>

#include "cli/api_client.h"
#include "cli/commands.h"
#include "cli/format.h"
#include "cli/http_client.h"
#include "cli/yaml.h"
#include "tests/fuzz/fuzz_util.h"

using namespace movn;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto bytes = fuzz::as_view(data, size);
  for (bool at_eof : {false, true}) (void)cli::try_parse_http_response(bytes, at_eof);
  // The envelope and renderers, fed the input as a body (what a parsed response carries).
  cli::HttpResponse response;
  response.status = 200;
  response.reason = "OK";
  response.body = std::string(bytes);
  auto metadata = cli::decode_envelope(response);
  if (!metadata.ok()) return 0;
  for (auto format : {cli::OutputFormat::kTable, cli::OutputFormat::kCompact, cli::OutputFormat::kCsv,
                      cli::OutputFormat::kJson, cli::OutputFormat::kYaml}) {
    (void)cli::render_cluster_list(*metadata, format);
    (void)cli::render_token_list(*metadata, format);
    (void)cli::render_event_list(*metadata, format);
  }
  (void)cli::render_config_get(*metadata, "ovn.central-ips");
  (void)cli::render_config_list(*metadata);
  (void)cli::render_certificate_list(*metadata, false);
  (void)cli::render_certificate_list(*metadata, true);
  (void)cli::render_yaml(*metadata);
  return 0;
}
