// Fixture for the raft_purity_catches_openssl test: must be flagged by check_purity.cmake.
#include <openssl/sha.h>
int impure() { return SHA256_DIGEST_LENGTH; }
