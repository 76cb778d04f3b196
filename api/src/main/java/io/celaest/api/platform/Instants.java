package io.celaest.api.platform;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * The instants the platform takes from clients: ISO-8601 date-times with an offset or zone
 * ({@code 2026-11-24T10:00:00Z}, {@code …+01:00}), in the years 0001–9999. PostgreSQL's timestamptz reaches
 * further, but an instant of year 300000 is a typing mistake, not a date anyone means.
 */
public final class Instants {

    public static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    public static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");
    public static final String RANGE = "between " + EARLIEST + " and " + LATEST;

    private Instants() {
    }

    /** @throws DateTimeParseException when the text is not an ISO-8601 date-time with an offset or zone */
    public static Instant parse(String text) {
        return ZonedDateTime.parse(text.trim(), DateTimeFormatter.ISO_DATE_TIME).toInstant();
    }

    public static boolean inRange(Instant instant) {
        return !instant.isBefore(EARLIEST) && !instant.isAfter(LATEST);
    }

    /** A filter bound within the range: clamping a bound beyond it selects the same rows. */
    public static Instant clamped(Instant bound) {
        return bound.isBefore(EARLIEST) ? EARLIEST : bound.isAfter(LATEST) ? LATEST : bound;
    }
}
