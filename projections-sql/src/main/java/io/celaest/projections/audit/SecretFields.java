package io.celaest.projections.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Denylist of field names that may hold a secret, a credential or something derived from one. Nothing under
 * such a name is ever copied into an audit entry or a rebuilt state, at any depth. A name is split into words
 * ({@code keyHash} → key, hash; {@code webhook_secret} → webhook, secret) and refused when any word is on the
 * list, so the rule errs towards dropping ({@code keyPrefix} goes too; the resource id is taken separately).
 */
public final class SecretFields {

    private static final Set<String> WORDS = Set.of("key", "keys", "apikey", "secret", "secrets", "hash", "hashes",
            "hashed", "password", "passwords", "passwd", "pwd", "passphrase", "token", "tokens", "credential",
            "credentials", "salt", "signature", "private", "otp", "bearer", "authorization", "cookie");

    private SecretFields() {
    }

    public static boolean isSecret(String fieldName) {
        if (fieldName == null) {
            return false;
        }
        for (String word : fieldName.replaceAll("([a-z0-9])([A-Z])", "$1 $2").split("[^A-Za-z0-9]+")) {
            if (WORDS.contains(word.toLowerCase(Locale.ROOT))) {
                return true;
            }
        }
        return false;
    }

    /** Removes every secret-looking or binary field from a JSON tree, at any depth. */
    public static void scrub(JsonNode node) {
        if (node instanceof ObjectNode object) {
            for (Iterator<Map.Entry<String, JsonNode>> fields = object.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                if (isSecret(field.getKey()) || field.getValue().isBinary()) {
                    fields.remove();
                } else {
                    scrub(field.getValue());
                }
            }
        } else if (node != null && node.isArray()) {
            node.forEach(SecretFields::scrub);
        }
    }
}
