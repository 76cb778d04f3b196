package io.celaest.projections.platform;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.axonframework.messaging.unitofwork.UnitOfWork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Crypto-shredding for personal data in events and their metadata. Each data subject (a person, or the actor of
 * a request for the client IP in its metadata) has an AES-256 key, stored in {@code personal_data_keys} wrapped
 * (AES-GCM) under the master key from {@code CELAEST_MASTER_KEY} (or a file in {@code CELAEST_HOME}), never in
 * the database in clear. Erasure destroys the wrapped key: every stored value of that subject then reads as
 * {@link #ERASED}, in replays, read models, exports and history alike.
 */
@Component
public class PersonalDataVault {

    public static final String ERASED = io.celaest.api.platform.PersonalData.ERASED;
    public static final String UNAVAILABLE = "[unavailable]";
    /** Field names of an encrypted value in stored JSON. */
    public static final String SUBJECT_FIELD = "personalDataOf";
    public static final String CIPHERTEXT_FIELD = "ciphertext";

    private static final Logger log = LoggerFactory.getLogger(PersonalDataVault.class);
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final JdbcClient jdbc;
    private final SecretKey masterKey;
    private final SecureRandom random = new SecureRandom();
    /** Subject → its key, or empty when erased. */
    private final Cache<UUID, Optional<SecretKey>> keys = Caffeine.newBuilder()
            .expireAfterWrite(Duration.ofMinutes(1))
            .maximumSize(100_000)
            .build();
    /**
     * Subjects erased on this node lately. A key cached after its command's commit may have been loaded before an
     * erasure in the same group commit; such a key must not be put back once the erasure has evicted it.
     */
    private final Cache<UUID, Boolean> recentlyErased = Caffeine.newBuilder()
            .expireAfterWrite(Duration.ofMinutes(2))
            .maximumSize(100_000)
            .build();

    public PersonalDataVault(JdbcClient jdbc, @Value("${celaest.master-key:}") String configured,
                             @Value("${celaest.home:.celaest}") String home) {
        this.jdbc = jdbc;
        this.masterKey = new SecretKeySpec(Base64.getDecoder().decode(
                configured == null || configured.isBlank() ? masterKeyFile(Path.of(home, "master-key")) : configured.trim()),
                "AES");
    }

    /** Encrypts a value under the subject's key, creating the key (in the current transaction) if needed. */
    public String encrypt(UUID subject, String plaintext) {
        SecretKey key = keyFor(subject).orElseThrow(() ->
                new IllegalStateException("Personal data of an erased subject cannot be written"));
        return Base64.getEncoder().encodeToString(seal(key, plaintext.getBytes(StandardCharsets.UTF_8), subject));
    }

    /**
     * A value in its stored form, as a message metadata value: a map that is written as
     * {@code {"personalDataOf": subject, "ciphertext": …}}, so {@link #reveal} and {@link #revealValue} read it
     * back. Once the subject's key is known, this is one AES-GCM seal, no database round trip. For a subject
     * already erased it is {@link #ERASED}: nothing more of them is recorded (a request in flight while its
     * actor was erased).
     */
    public Object seal(UUID subject, String plaintext) {
        Optional<SecretKey> key = keyFor(subject);
        if (key.isEmpty()) {
            return ERASED;
        }
        Map<String, String> sealed = new LinkedHashMap<>(4);
        sealed.put(SUBJECT_FIELD, subject.toString());
        sealed.put(CIPHERTEXT_FIELD, Base64.getEncoder().encodeToString(
                seal(key.get(), plaintext.getBytes(StandardCharsets.UTF_8), subject)));
        return sealed;
    }

    /**
     * The plaintext of a metadata value written by {@link #seal} (metadata reads back as a map), {@link #ERASED}
     * after erasure; any other value is its own text (values stored before they were sealed, the erased marker).
     */
    public String revealValue(Object value) {
        if (value instanceof Map<?, ?> map && map.size() == 2
                && map.get(SUBJECT_FIELD) instanceof String subject && map.get(CIPHERTEXT_FIELD) instanceof String ciphertext) {
            try {
                return decrypt(UUID.fromString(subject), ciphertext);
            } catch (IllegalArgumentException e) {
                return UNAVAILABLE;
            }
        }
        return value == null ? null : value.toString();
    }

    /** The plaintext, {@link #ERASED} after erasure, or {@link #UNAVAILABLE} if no key was ever stored. */
    public String decrypt(UUID subject, String ciphertext) {
        Optional<SecretKey> key = keys.getIfPresent(subject);
        if (key == null) {
            key = load(subject);
            if (key == null) {
                return UNAVAILABLE;
            }
            keys.put(subject, key);
        }
        if (key.isEmpty()) {
            return ERASED;
        }
        try {
            return new String(open(key.get(), Base64.getDecoder().decode(ciphertext), subject), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return UNAVAILABLE;
        }
    }

    /** Drops the cached key of an erased subject (the key itself is destroyed by the erasing command). */
    public void forget(UUID subject) {
        recentlyErased.put(subject, Boolean.TRUE);
        keys.invalidate(subject);
    }

    /** Replaces every encrypted value in a stored JSON document by its plaintext (or the erased marker). */
    public JsonNode reveal(JsonNode node) {
        if (node instanceof ObjectNode object) {
            if (object.size() == 2 && object.has(SUBJECT_FIELD) && object.has(CIPHERTEXT_FIELD)) {
                return TextNode.valueOf(decrypt(UUID.fromString(object.get(SUBJECT_FIELD).asText()),
                        object.get(CIPHERTEXT_FIELD).asText()));
            }
            Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                field.setValue(reveal(field.getValue()));
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                array.set(i, reveal(array.get(i)));
            }
        }
        return node;
    }

    /**
     * A new subject (the usual case: a key is created with the event that introduces the person) costs one
     * statement: the insert either stores our fresh key or, on conflict, finds the key row that already exists
     * (an insert racing ours has committed by then), which is then read. Empty when the subject was erased.
     */
    private Optional<SecretKey> loadOrCreate(UUID subject) {
        // what KeyGenerator("AES", 256) does, without its provider lookup per key
        byte[] material = new byte[32];
        random.nextBytes(material);
        SecretKey key = new SecretKeySpec(material, "AES");
        byte[] wrapped = seal(masterKey, key.getEncoded(), subject);
        int inserted = jdbc.sql(
                        "INSERT INTO personal_data_keys (subject_id, wrapped_key) VALUES (?, ?) ON CONFLICT DO NOTHING")
                .params(subject, wrapped)
                .update();
        if (inserted == 1) {
            return Optional.of(key);
        }
        Optional<SecretKey> existing = load(subject);
        if (existing == null) {
            throw new IllegalStateException("The key of " + subject + " conflicted but cannot be read");
        }
        return existing;
    }

    /**
     * The subject's key (empty: erased), created if there is none. Only a key read or created outside a
     * transaction is cached at once: one created in a command's transaction may yet vanish with it (a concurrent
     * append rolls the command's savepoint back, a group commit fails), and a cached key whose row is gone would
     * seal the retried command's values under a key no one can read later. Within the command, the key is kept
     * for its other fields; it is cached once the command has succeeded and the transaction it joined (a group
     * commit's) has committed, so the projection that decrypts the command's event finds it without a query.
     */
    private Optional<SecretKey> keyFor(UUID subject) {
        Optional<SecretKey> cached = keys.getIfPresent(subject);
        if (cached != null) {
            return cached;
        }
        if (TransactionSynchronizationManager.isActualTransactionActive()) {
            if (!CurrentUnitOfWork.isStarted()) {
                return loadOrCreate(subject);
            }
            UnitOfWork<?> command = CurrentUnitOfWork.get();
            return command.getOrComputeResource(KEY_RESOURCE + subject, name -> {
                Optional<SecretKey> key = loadOrCreate(subject);
                if (command.phase().isBefore(UnitOfWork.Phase.AFTER_COMMIT)) {
                    command.afterCommit(u -> cacheOnceCommitted(subject, key));
                }
                return key;
            });
        }
        Optional<SecretKey> committed = loadOrCreate(subject);
        keys.put(subject, committed);
        return committed;
    }

    private static final String KEY_RESOURCE = PersonalDataVault.class.getName() + ".key:";

    /**
     * After the command's unit of work: at once if its transaction was its own, else when the joined one commits;
     * never for a subject erased meanwhile (an erasure later in the same group commit evicts before this runs).
     */
    private void cacheOnceCommitted(UUID subject, Optional<SecretKey> key) {
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            cacheUnlessErased(subject, key);
            return;
        }
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                cacheUnlessErased(subject, key);
            }
        });
    }

    private void cacheUnlessErased(UUID subject, Optional<SecretKey> key) {
        if (recentlyErased.getIfPresent(subject) == null) {
            keys.put(subject, key);
        }
    }

    /** null when no key row exists; empty when the key was destroyed. */
    private Optional<SecretKey> load(UUID subject) {
        return jdbc.sql("SELECT wrapped_key FROM personal_data_keys WHERE subject_id = ?")
                .param(subject)
                .query((rs, n) -> Optional.ofNullable(rs.getBytes(1)))
                .optional()
                .map(wrapped -> wrapped.map(w -> {
                    try {
                        return (SecretKey) new SecretKeySpec(open(masterKey, w, subject), "AES");
                    } catch (GeneralSecurityException e) {
                        throw new IllegalStateException("The master key does not open the key of " + subject
                                + ": is CELAEST_MASTER_KEY the same on every node?", e);
                    }
                }))
                .orElse(null);
    }

    private byte[] seal(SecretKey key, byte[] plaintext, UUID subject) {
        try {
            byte[] iv = new byte[IV_BYTES];
            random.nextBytes(iv);
            Cipher cipher = gcm();
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(subject.toString().getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(plaintext);
            return ByteBuffer.allocate(IV_BYTES + sealed.length).put(iv).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One AES-GCM cipher per thread, initialised afresh for every use: the provider lookup is the costly part. */
    private static final ThreadLocal<Cipher> CIPHERS = new ThreadLocal<>();

    private static Cipher gcm() throws GeneralSecurityException {
        Cipher cipher = CIPHERS.get();
        if (cipher == null) {
            cipher = Cipher.getInstance("AES/GCM/NoPadding");
            CIPHERS.set(cipher);
        }
        return cipher;
    }

    private static byte[] open(SecretKey key, byte[] sealed, UUID subject) throws GeneralSecurityException {
        Cipher cipher = gcm();
        cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed, 0, IV_BYTES));
        cipher.updateAAD(subject.toString().getBytes(StandardCharsets.UTF_8));
        return cipher.doFinal(sealed, IV_BYTES, sealed.length - IV_BYTES);
    }

    private String masterKeyFile(Path file) {
        try {
            if (Files.exists(file)) {
                return Files.readString(file, StandardCharsets.UTF_8).trim();
            }
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            byte[] key = new byte[32];
            random.nextBytes(key);
            Path tmp = Files.createTempFile(dir, "master-key", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, Base64.getEncoder().encodeToString(key) + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            log.info("Generated the master key for personal data; it is in {} (mode 600). Set CELAEST_MASTER_KEY to the "
                    + "same value on every node.", file.toAbsolutePath());
            return Base64.getEncoder().encodeToString(key);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read or write the master key file " + file, e);
        }
    }
}
