package io.celaest.api.platform;

/** Cursor pagination: an opaque cursor from the previous page (null for the first) and a page size. */
public record PageRequest(String cursor, int limit) {
    public static final int MAX_LIMIT = 200;

    public PageRequest {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT);
        }
    }
}
