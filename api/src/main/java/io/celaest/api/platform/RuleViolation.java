package io.celaest.api.platform;

import java.util.Map;

/**
 * A command rejected by a business rule. The kind decides the HTTP status (404, 409, 422);
 * the code is stable and machine-readable.
 */
public class RuleViolation extends RuntimeException {

    public enum Kind { NOT_FOUND, CONFLICT, UNPROCESSABLE }

    private final Kind kind;
    private final String code;
    private final Map<String, Object> details;

    public RuleViolation(Kind kind, String code, String message) {
        this(kind, code, message, Map.of());
    }

    /** {@code details} become extra members of the problem document (e.g. a quota's used/limit/remaining). */
    public RuleViolation(Kind kind, String code, String message, Map<String, Object> details) {
        super(message, null, false, false);
        this.kind = kind;
        this.code = code;
        this.details = Map.copyOf(details);
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

    public Map<String, Object> details() {
        return details;
    }
}
