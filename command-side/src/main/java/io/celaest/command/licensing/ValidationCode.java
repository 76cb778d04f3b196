package io.celaest.command.licensing;

/** The answers of a validation, in the order the checks run. */
public enum ValidationCode {
    NOT_FOUND("No license has this key"),
    SUSPENDED("The license is suspended"),
    CANCELLED("The license is cancelled"),
    EXPIRED("The license has expired"),
    PRODUCT_SCOPE_MISMATCH("The license is not for this product"),
    TOO_MANY_BINDINGS("The license is already bound to as many devices as it allows"),
    COLLISION_BLOCKED("The license is in use from more places at once than it allows"),
    VALID("The license is valid");

    private final String detail;

    ValidationCode(String detail) {
        this.detail = detail;
    }

    public String detail() {
        return detail;
    }
}
