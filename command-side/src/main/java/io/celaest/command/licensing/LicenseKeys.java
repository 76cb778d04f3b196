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
        if (text == null || text.length() > 64) {
            return Optional.empty();
        }
        StringBuilder out = new StringBuilder(LENGTH);
        for (int i = 0; i < text.length(); i++) {
            char c = Character.toUpperCase(text.charAt(i));
            if (c == '-' || c == ' ') {
                continue;
            }
            c = switch (c) {
                case 'O' -> '0';
                case 'I', 'L' -> '1';
                default -> c;
            };
            if (ALPHABET.indexOf(c) < 0 || out.length() == LENGTH) {
                return Optional.empty();
            }
            out.append(c);
        }
        if (out.length() != LENGTH) {
            return Optional.empty();
        }
        int check = checkValue(out.subSequence(0, RANDOM_SYMBOLS));
        return ALPHABET.indexOf(out.charAt(RANDOM_SYMBOLS)) == check ? Optional.of(out.toString()) : Optional.empty();
    }

    public static byte[] hash(String canonical) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
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
        int factor = 2;
        int sum = 0;
        for (int i = symbols.length() - 1; i >= 0; i--) {
            int addend = factor * ALPHABET.indexOf(symbols.charAt(i));
            factor = factor == 2 ? 1 : 2;
            sum += addend / 32 + addend % 32;
        }
        return (32 - sum % 32) % 32;
    }
}
