package io.celaest.query.audit;

/**
 * The answer of a chain verification over global indexes {@code from..to}: {@code checkedEvents} links were
 * recomputed from the event table and matched; {@code firstMismatch} is the lowest position where the event
 * table, the chain or a signed checkpoint disagree (null when {@code verified}). {@code chainHead} is the last
 * linked global index: later events are not chained yet and not checked.
 */
public record ChainVerificationResult(boolean verified, long checkedEvents, Mismatch firstMismatch, long from,
                                      long to, long chainHead, int checkedCheckpoints) {

    /** Why a position fails verification. */
    public enum Reason {
        /** The event's stored bytes (payload, metadata, type, timestamp…) no longer hash to its link. */
        EVENT_MODIFIED,
        /** A chained global index is no longer in the event table. */
        EVENT_MISSING,
        /** Another event than the chained one stands at this global index (events swapped or moved). */
        EVENTS_REORDERED,
        /** An event stands at a global index the chain skipped: it was inserted afterwards. */
        EVENT_NOT_CHAINED,
        /** A checkpoint's signature does not verify with the platform's public key, or its fields were edited. */
        CHECKPOINT_SIGNATURE_INVALID,
        /** A validly signed checkpoint names another chain head than the recomputed one: history was rewritten. */
        CHECKPOINT_MISMATCH
    }

    public record Mismatch(long position, Reason reason, String detail, Long checkpointId) {
    }
}
