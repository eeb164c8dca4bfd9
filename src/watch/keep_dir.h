// `cancelflow watch --keep DIR --keep-max-mb N`: the traces kept after
// analysis. Invariant: after PruneKeepDir, the *.trace files directly in DIR
// total at most `max_bytes`, the newest kept (by mtime, then name); other
// files are never touched.
#pragma once

#include <cstdint>
#include <string>

namespace cancelflow::watch {

// The file name for a target's trace of a round: SERVICE_INSTANCE_UNIXMS.trace,
// with every byte outside [A-Za-z0-9._-] replaced by '_'.
std::string KeptTraceName(const std::string& service, const std::string& instance, int64_t unix_ms);

// Deletes the oldest *.trace files of `dir` until they total at most
// `max_bytes`. Returns how many it deleted.
size_t PruneKeepDir(const std::string& dir, uint64_t max_bytes);

}  // namespace cancelflow::watch
