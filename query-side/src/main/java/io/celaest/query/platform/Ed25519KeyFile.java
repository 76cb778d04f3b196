package io.celaest.query.platform;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Ed25519 signing keys whose private half never enters the database: given in the environment (base64 PKCS#8),
 * or generated at first start into a file of {@code CELAEST_HOME} (mode 600). Used for audit checkpoints and for
 * offline license certificates, each with its own key.
 */
public final class Ed25519KeyFile {

    public static final String ALGORITHM = "Ed25519";

    private static final Logger log = LoggerFactory.getLogger(Ed25519KeyFile.class);

    private Ed25519KeyFile() {
    }

    /** The configured key when set, else the file's (created on first use); {@code what} names it in messages. */
    public static KeyPair load(String configured, Path file, String what) {
        String encoded = configured == null || configured.isBlank() ? fromFile(file, what) : configured.trim();
        return decode(encoded, what);
    }

    /** Generates a fresh key, base64 PKCS#8. */
    public static String generate() {
        try {
            return Base64.getEncoder().encodeToString(
                    KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair().getPrivate().getEncoded());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 is part of every JDK 15+", e);
        }
    }

    /** Hex SHA-256 of the X.509 public key. */
    public static String idOf(PublicKey key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static byte[] sign(PrivateKey key, byte[] data) {
        try {
            Signature signature = Signature.getInstance(ALGORITHM);
            signature.initSign(key);
            signature.update(data);
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot sign with Ed25519", e);
        }
    }

    public static boolean verify(PublicKey key, byte[] data, byte[] signatureBytes) {
        try {
            Signature signature = Signature.getInstance(ALGORITHM);
            signature.initVerify(key);
            signature.update(data);
            return signature.verify(signatureBytes);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    public static PublicKey decodePublic(String base64) throws GeneralSecurityException {
        return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64)));
    }

    /**
     * The public key is derived from the private key's 32-byte seed: the JDK's Ed25519 generator draws exactly
     * that seed from its random source, so feeding it the seed reproduces the pair.
     */
    static KeyPair decode(String base64, String what) {
        try {
            KeyFactory factory = KeyFactory.getInstance(ALGORITHM);
            PrivateKey given = factory.generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
            byte[] seed = ((EdECPrivateKey) given).getBytes()
                    .orElseThrow(() -> new IllegalArgumentException("The " + what + " has no seed"));
            KeyPairGenerator generator = KeyPairGenerator.getInstance(ALGORITHM);
            generator.initialize(NamedParameterSpec.ED25519, new SeedRandom(seed));
            KeyPair pair = generator.generateKeyPair();
            byte[] derived = ((EdECPrivateKey) pair.getPrivate()).getBytes().orElseThrow();
            if (!Arrays.equals(seed, derived)) {
                throw new IllegalStateException("Could not derive the public half of the " + what);
            }
            PublicKey publicKey = factory.generatePublic(new X509EncodedKeySpec(pair.getPublic().getEncoded()));
            return new KeyPair(publicKey, given);
        } catch (GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
            throw new IllegalStateException("The " + what + " is not a base64 PKCS#8 Ed25519 private key", e);
        }
    }

    private static String fromFile(Path file, String what) {
        try {
            if (Files.exists(file)) {
                log.info("The {} is read from {}", what, file.toAbsolutePath());
                return Files.readString(file, StandardCharsets.UTF_8).trim();
            }
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            String key = generate();
            Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, key + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            log.info("Generated the {}; it is in {} (mode 600). Keep a copy: what it signed can only be verified "
                    + "with its public key", what, file.toAbsolutePath());
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read or write the " + what + " file " + file, e);
        }
    }

    /** Hands out the given seed as its "random" bytes, once. */
    private static final class SeedRandom extends SecureRandom {
        private final byte[] seed;

        SeedRandom(byte[] seed) {
            this.seed = seed.clone();
        }

        @Override
        public void nextBytes(byte[] bytes) {
            if (bytes.length != seed.length) {
                throw new IllegalStateException("Unexpected key length " + bytes.length);
            }
            System.arraycopy(seed, 0, bytes, 0, bytes.length);
        }
    }
}
