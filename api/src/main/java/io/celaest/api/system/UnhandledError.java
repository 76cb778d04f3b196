package io.celaest.api.system;

/**
 * An error nothing handled (a 500 answer): where it happened ({@code "GET /api/v1/..."} or a component name),
 * the exception's type and message (cut short), and the correlation id the client was given.
 */
public record UnhandledError(String nodeId, String where, String exceptionType, String message,
                             String correlationId) {
}
