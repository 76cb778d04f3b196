package io.celaest.api.platform;

/**
 * A command rejected by a business rule. The kind decides the HTTP status (404, 409, 422);
 * the code is stable and machine-readable.
 */
public class RuleViolation extends RuntimeException {

    public enum Kind { NOT_FOUND, CONFLICT, UNPROCESSABLE }

    private final Kind kind;
    private final String code;

    public RuleViolation(Kind kind, String code, String message) {
        super(message, null, false, false);
        this.kind = kind;
        this.code = code;
    }

    public static RuleViolation notFound(String code, String message) {
        return new RuleViolation(Kind.NOT_FOUND, code, message);
    }

    public static RuleViolation conflict(String code, String message) {
        return new RuleViolation(Kind.CONFLICT, code, message);
    }

    public static RuleViolation unprocessable(String code, String message) {
        return new RuleViolation(Kind.UNPROCESSABLE, code, message);
    }

    public Kind kind() {
        return kind;
    }

    public String code() {
        return code;
    }
}
