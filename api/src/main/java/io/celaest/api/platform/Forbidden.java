package io.celaest.api.platform;

/** The caller is known and may see the resource, but lacks the role or scope for this action (403). */
public class Forbidden extends RuntimeException {
    public Forbidden(String message) {
        super(message, null, false, false);
    }
}
