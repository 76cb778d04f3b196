package io.celaest.api.system;

import java.time.Instant;

/**
 * An event a processor could not handle was put in its dead-letter queue ({@code deadletterentry}). Several
 * nodes may each report the same dead letter; {@code deadLetterId} identifies it. {@code cause} is the
 * exception message, cut short; the event's payload is not copied.
 */
public record EventDeadLettered(String processor, String deadLetterId, String eventIdentifier, String payloadType,
                                String causeType, String cause, Instant enqueuedAt, String nodeId) {
}
