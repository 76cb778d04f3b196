package io.celaest.command.licensing;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Optional;

/**
 * License keys: 29 random Crockford base-32 symbols (145 bits) and one Luhn mod 32 check symbol, shown in six
 * groups of five ({@code 7KQ2M-…-XXXXC}). Clients may type them in any case, with or without dashes, and with
 * the look-alikes O/I/L; a key whose check symbol does not match is rejected before any lookup, and only the
 * SHA-256 of the canonical form is ever stored.
 */
public final class LicenseKeys {

    static final String ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    static final int RANDOM_SYMBOLS = 29;
    static final int LENGTH = RANDOM_SYMBOLS + 1;
    private static final SecureRandom RANDOM = new SecureRandom();

    private LicenseKeys() {
    }

    /** A new key in display form. */
    public static String generate() {
        StringBuilder canonical = new StringBuilder(LENGTH);
        for (int i = 0; i < RANDOM_SYMBOLS; i++) {
            canonical.append(ALPHABET.charAt(RANDOM.nextInt(32)));
        }
        canonical.append(ALPHABET.charAt(checkValue(canonical)));
        return display(canonical.toString());
    }

    /** The canonical form (30 symbols, upper case, no dashes) when the text is a well-formed key. */
    public static Optional<String> canonical(String text) {
        char[] symbols = canonicalSymbols(text);
        return symbols == null ? Optional.empty() : Optional.of(new String(symbols));
    }

    /**
     * The SHA-256 of the canonical form, or null when the text is not a well-formed key: the validation hot path,
     * so one table lookup per character and one digest per thread instead of a provider lookup per call.
     */
    public static byte[] hashOfCanonical(String text) {
        char[] symbols = canonicalSymbols(text);
        if (symbols == null) {
            return null;
        }
        byte[] ascii = new byte[LENGTH];
        for (int i = 0; i < LENGTH; i++) {
            ascii[i] = (byte) symbols[i];
        }
        return SHA256.get().digest(ascii);
    }

    public static byte[] hash(String canonical) {
        return SHA256.get().digest(canonical.getBytes(StandardCharsets.US_ASCII));
    }

    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    /** Symbol value of each ASCII character as typed (either case, look-alikes O/I/L); -1 skipped (dash, space), -2 invalid. */
    private static final byte[] VALUE_OF = new byte[128];

    static {
        java.util.Arrays.fill(VALUE_OF, (byte) -2);
        VALUE_OF['-'] = -1;
        VALUE_OF[' '] = -1;
        for (int v = 0; v < ALPHABET.length(); v++) {
            char c = ALPHABET.charAt(v);
            VALUE_OF[c] = (byte) v;
            VALUE_OF[Character.toLowerCase(c)] = (byte) v;
        }
        for (char c : new char[]{'O', 'o'}) {
            VALUE_OF[c] = 0;
        }
        for (char c : new char[]{'I', 'i', 'L', 'l'}) {
            VALUE_OF[c] = 1;
        }
    }

    /** The 30 canonical symbols when the text is a well-formed key whose check symbol matches, else null. */
    private static char[] canonicalSymbols(String text) {
        if (text == null || text.length() > 64) {
            return null;
        }
        char[] out = new char[LENGTH];
        int[] values = new int[LENGTH];
        int n = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            int value = c < 128 ? VALUE_OF[c] : -2;
            if (value == -1) {
                continue;
            }
            if (value == -2 || n == LENGTH) {
                return null;
            }
            values[n] = value;
            out[n++] = ALPHABET.charAt(value);
        }
        if (n != LENGTH) {
            return null;
        }
        return checkValue(values, RANDOM_SYMBOLS) == values[RANDOM_SYMBOLS] ? out : null;
    }

    /** The last group of the display form: enough for people to tell keys apart, useless to guess one. */
    public static String hint(String canonical) {
        return canonical.substring(LENGTH - 5);
    }

    static String display(String canonical) {
        StringBuilder out = new StringBuilder(LENGTH + 5);
        for (int i = 0; i < LENGTH; i++) {
            if (i > 0 && i % 5 == 0) {
                out.append('-');
            }
            out.append(canonical.charAt(i));
        }
        return out.toString();
    }

    /** Luhn mod N (N = 32): catches every single-symbol error and most adjacent transpositions. */
    static int checkValue(CharSequence symbols) {
        int[] values = new int[symbols.length()];
        for (int i = 0; i < values.length; i++) {
            values[i] = ALPHABET.indexOf(symbols.charAt(i));
        }
        return checkValue(values, values.length);
    }

    private static int checkValue(int[] values, int count) {
        int factor = 2;
        int sum = 0;
        for (int i = count - 1; i >= 0; i--) {
            int addend = factor * values[i];
            factor = factor == 2 ? 1 : 2;
            sum += addend / 32 + addend % 32;
        }
        return (32 - sum % 32) % 32;
    }
}
