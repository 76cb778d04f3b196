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

    /**
     * Splits the name into words (a new word at every character outside {@code [A-Za-z0-9]}, and before an
     * upper-case letter that follows a lower-case letter or digit) and looks each up. Called for every field of
     * every audited event, so it scans the name once instead of running regular expressions.
     */
    public static boolean isSecret(String fieldName) {
        if (fieldName == null) {
            return false;
        }
        StringBuilder word = new StringBuilder(fieldName.length());
        char previous = 0;
        for (int i = 0; i < fieldName.length(); i++) {
            char c = fieldName.charAt(i);
            boolean upper = c >= 'A' && c <= 'Z';
            boolean lowerOrDigit = c >= 'a' && c <= 'z' || c >= '0' && c <= '9';
            if (!upper && !lowerOrDigit) {
                if (isListed(word)) {
                    return true;
                }
                word.setLength(0);
            } else {
                if (upper && (previous >= 'a' && previous <= 'z' || previous >= '0' && previous <= '9')) {
                    if (isListed(word)) {
                        return true;
                    }
                    word.setLength(0);
                }
                word.append(upper ? (char) (c + ('a' - 'A')) : c);
            }
            previous = c;
        }
        return isListed(word);
    }

    private static boolean isListed(StringBuilder word) {
        return word.length() > 0 && WORDS.contains(word.toString());
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
