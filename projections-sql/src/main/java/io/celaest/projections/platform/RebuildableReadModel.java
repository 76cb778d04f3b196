package io.celaest.projections.platform;

import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A read model written by a <em>subscribing</em> processing group (its handlers run in the transaction that stores
 * the events). Such a group has no token to reset, so the server rebuilds it from the event log instead
 * ({@code io.celaest.server.system.SubscribingRebuilds}): the group's handlers replay every stored event of
 * {@link #aggregateTypes()} into private copies of {@link #tables()}, which then replace the live rows while the live
 * tables are briefly locked against writers.
 * <p>
 * What the group's handlers must do for that: name their tables unqualified (inside the rebuild the names mean the
 * copies, {@code pg_temp.<table>}), write nothing but these tables, and be idempotent and sequence-checked (an event
 * may reach a copy twice, and commands racing the rebuild apply themselves on top of the rebuilt rows).
 */
public interface RebuildableReadModel {

    /** The processing group whose event handlers write these tables. */
    String processingGroup();

    /** Every table the group writes; each has a primary key. */
    List<String> tables();

    /** The aggregate types ({@code domain_event_entry.type}) whose events the group handles: only these are read. */
    List<String> aggregateTypes();

    /**
     * In the rebuild's transaction, with the live tables locked and every event applied to the copies
     * ({@code pg_temp.<table>}), before the copies replace the live rows: carry over what events do not hold.
     *
     * @param live a table's live name, schema-qualified and quoted
     */
    default void beforeReplacing(UnaryOperator<String> live) {
    }
}
