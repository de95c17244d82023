#include "ovn/layout.h"

#include <sys/stat.h>

#include <cerrno>

#include "ovn/file_util.h"

namespace movn::ovn {

namespace fs = std::filesystem;

Result<Layout> make_layout(const fs::path& root) {
  if (root.empty() || !root.is_absolute()) {
    return make_error(
        Errc::kInvalidArgument,
        "the OVN root directory must be an absolute path, got '" + root.string() + "'");
  }
  fs::path r = root.lexically_normal();
  if (!r.has_filename() && r != r.root_path()) r = r.parent_path();  // "/a/b/" -> "/a/b"
  Layout l;
  l.root = r;
  l.central_db = r / "data" / "central" / "db";
  l.ovn_sysconf = r / "data" / "ovn";
  l.switch_conf = r / "data" / "switch";
  l.switch_db = r / "data" / "switch" / "db";
  l.pki = r / "data" / "pki";
  l.env = r / "data" / "env";
  l.logs = r / "logs";
  l.ovn_run = r / "run" / "ovn";
  l.switch_run = r / "run" / "switch";
  l.supervisor_run = r / "run" / "supervisor";
  return l;
}

std::vector<fs::path> layout_directories(const Layout& l) {
  const fs::path data = l.root / "data";
  const fs::path run = l.root / "run";
  return {l.root,
          data,
          data / "central",
          l.central_db,
          l.ovn_sysconf,
          l.switch_conf,
          l.switch_db,
          l.pki,
          l.env,
          l.logs,
          run,
          l.ovn_run,
          l.switch_run,
          l.supervisor_run};
}

Result<void> create_layout_directories(const Layout& layout) {
  for (const fs::path& dir : layout_directories(layout)) {
    if (::mkdir(dir.c_str(), 0700) == 0) {
      ::chmod(dir.c_str(), 0700);  // exactly 0700, whatever the umask
      continue;
    }
    const int err = errno;
    if (err == EEXIST) {
      struct stat st {};
      if (::stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) continue;
      return make_error(Errc::kFailedPrecondition, "cannot create directory " + dir.string() +
                                                       ": something else is in the way");
    }
    return errno_error(err, "cannot create directory", dir);
  }
  return ok_result();
}

std::vector<std::pair<std::string, std::string>> ovn_environment(const Layout& l) {
  return {
      {"OVN_RUNDIR", l.ovn_run.string()},    {"OVN_LOGDIR", l.logs.string()},
      {"OVN_DBDIR", l.central_db.string()},  {"OVN_SYSCONFDIR", l.ovn_sysconf.string()},
      {"OVS_RUNDIR", l.switch_run.string()}, {"OVS_LOGDIR", l.logs.string()},
      {"OVS_DBDIR", l.switch_db.string()},   {"OVS_SYSCONFDIR", l.switch_conf.string()},
  };
}

std::vector<std::string> process_environment(const Layout& layout, const std::string& path) {
  std::vector<std::string> env;
  env.push_back("PATH=" + path);
  for (const auto& [key, value] : ovn_environment(layout)) env.push_back(key + "=" + value);
  return env;
}

}  // namespace movn::ovn
