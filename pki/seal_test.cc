#include "pki/seal.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <string>

namespace movn::pki {
namespace {

const std::string kKey(32, '\x42');
const std::string kNonce = "0123456789ab";
const std::string kAad = "ca-key/v1";
const std::string kSecret =
    "-----BEGIN PRIVATE KEY-----\nMIG2AgEAMBAGByqGSM49AgEGBSuBBAAiBIGeMIGbAgEBBDA=\n"
    "-----END PRIVATE KEY-----\n";

std::string must_seal(std::string_view plaintext, std::string_view aad = kAad) {
  auto r = seal(kKey, kNonce, aad, plaintext);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? *r : std::string();
}

void expect_not_authentic(const Result<std::string>& r) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kCorruption);
  EXPECT_NE(r.error().message.find("sealed data does not authenticate under this cluster key"),
            std::string::npos)
      << r.error().message;
}

TEST(Seal, RoundTrip) {
  for (const std::string& plaintext :
       {kSecret, std::string(), std::string("x"), std::string(5000, '\0')}) {
    const std::string sealed = must_seal(plaintext);
    EXPECT_EQ(sealed.size(), plaintext.size() + kSealOverheadBytes);
    auto opened = unseal(kKey, kAad, sealed);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    EXPECT_EQ(*opened, plaintext);
  }
}

TEST(Seal, LayoutIsVersionNonceCiphertextTag) {
  const std::string sealed = must_seal(kSecret);
  ASSERT_EQ(sealed.size(), 1 + 12 + kSecret.size() + 16);
  EXPECT_EQ(sealed[0], '\x01');
  EXPECT_EQ(sealed.substr(1, 12), kNonce);

  // Decrypt by hand with AES-256-GCM: associated data is the version byte, then the caller's.
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  ASSERT_NE(ctx, nullptr);
  const auto* key = reinterpret_cast<const unsigned char*>(kKey.data());
  const auto* nonce = reinterpret_cast<const unsigned char*>(sealed.data() + 1);
  ASSERT_EQ(EVP_DecryptInit_ex2(ctx, EVP_aes_256_gcm(), key, nonce, nullptr), 1);
  int len = 0;
  const std::string aad = "\x01" + kAad;
  ASSERT_EQ(
      EVP_DecryptUpdate(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(aad.data()),
                        static_cast<int>(aad.size())),
      1);
  std::string plaintext(kSecret.size(), '\0');
  ASSERT_EQ(EVP_DecryptUpdate(ctx, reinterpret_cast<unsigned char*>(plaintext.data()), &len,
                              reinterpret_cast<const unsigned char*>(sealed.data() + 13),
                              static_cast<int>(kSecret.size())),
            1);
  std::string tag = sealed.substr(sealed.size() - 16);
  ASSERT_EQ(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, tag.data()), 1);
  unsigned char final_block[EVP_MAX_BLOCK_LENGTH];
  EXPECT_EQ(EVP_DecryptFinal_ex(ctx, final_block, &len), 1);
  EVP_CIPHER_CTX_free(ctx);
  EXPECT_EQ(plaintext, kSecret);
}

TEST(Seal, SealedBytesDoNotContainThePlaintext) {
  const std::string sealed = must_seal(kSecret);
  EXPECT_EQ(sealed.find("PRIVATE KEY"), std::string::npos);
  EXPECT_EQ(sealed.find(kSecret.substr(30, 8)), std::string::npos);
}

TEST(Seal, AFlippedBitInAnyRegionFails) {
  const std::string sealed = must_seal(kSecret);
  const std::size_t tag_start = sealed.size() - kSealTagBytes;
  struct Region {
    const char* name;
    std::size_t offset;
  };
  for (const Region& region :
       {Region{"version", 0}, Region{"nonce first", 1}, Region{"nonce last", 12},
        Region{"ciphertext first", 13}, Region{"ciphertext last", tag_start - 1},
        Region{"tag first", tag_start}, Region{"tag last", sealed.size() - 1}}) {
    for (int bit = 0; bit < 8; bit += 7) {
      std::string damaged = sealed;
      damaged[region.offset] = static_cast<char>(damaged[region.offset] ^ (1 << bit));
      auto r = unseal(kKey, kAad, damaged);
      ASSERT_FALSE(r.ok()) << region.name << " bit " << bit;
      if (region.offset == 0) {
        EXPECT_EQ(r.error().code, Errc::kInvalidArgument) << r.error().message;
        EXPECT_NE(r.error().message.find("version"), std::string::npos) << r.error().message;
      } else {
        expect_not_authentic(r);
      }
    }
  }
}

TEST(Seal, DifferentAssociatedDataFails) {
  const std::string sealed = must_seal(kSecret);
  std::string aad = kAad;
  aad[0] = static_cast<char>(aad[0] ^ 1);
  expect_not_authentic(unseal(kKey, aad, sealed));
  expect_not_authentic(unseal(kKey, "", sealed));
  expect_not_authentic(unseal(kKey, kAad + "x", sealed));
}

TEST(Seal, WrongKeyFails) {
  const std::string sealed = must_seal(kSecret);
  std::string other = kKey;
  other[31] = static_cast<char>(other[31] ^ 0x80);
  expect_not_authentic(unseal(other, kAad, sealed));
}

TEST(Seal, ShortOrTruncatedInputFails) {
  const std::string sealed = must_seal(kSecret);
  for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{13}, kSealOverheadBytes - 1}) {
    auto r = unseal(kKey, kAad, sealed.substr(0, n));
    ASSERT_FALSE(r.ok()) << n;
    EXPECT_EQ(r.error().code, Errc::kInvalidArgument) << r.error().message;
    EXPECT_NE(r.error().message.find("shorter than the 29-byte minimum"), std::string::npos)
        << r.error().message;
  }
  // Long enough to parse, but cut: the tag is no longer where it was.
  expect_not_authentic(unseal(kKey, kAad, sealed.substr(0, sealed.size() - 1)));
  expect_not_authentic(unseal(kKey, kAad, sealed + '\0'));
}

TEST(Seal, KeyAndNonceSizesAreChecked) {
  for (const std::string& key : {std::string(31, 'k'), std::string(33, 'k'), std::string()}) {
    auto sealed = seal(key, kNonce, kAad, kSecret);
    ASSERT_FALSE(sealed.ok());
    EXPECT_EQ(sealed.error().code, Errc::kInvalidArgument);
    EXPECT_NE(sealed.error().message.find("cluster key is " + std::to_string(key.size()) +
                                          " bytes, expected 32"),
              std::string::npos)
        << sealed.error().message;
    auto opened = unseal(key, kAad, std::string(64, 'x'));
    ASSERT_FALSE(opened.ok());
    EXPECT_EQ(opened.error().code, Errc::kInvalidArgument);
  }
  for (const std::string& nonce : {std::string(11, 'n'), std::string(13, 'n')}) {
    auto sealed = seal(kKey, nonce, kAad, kSecret);
    ASSERT_FALSE(sealed.ok());
    EXPECT_EQ(sealed.error().code, Errc::kInvalidArgument);
    EXPECT_NE(sealed.error().message.find("nonce"), std::string::npos) << sealed.error().message;
  }
}

TEST(Seal, SameInputsGiveSameBytesAndAnotherNonceOtherBytes) {
  EXPECT_EQ(must_seal(kSecret), must_seal(kSecret));
  auto other = seal(kKey, "ba9876543210", kAad, kSecret);
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->substr(13), must_seal(kSecret).substr(13));
}

}  // namespace
}  // namespace movn::pki
