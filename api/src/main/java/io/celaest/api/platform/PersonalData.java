package io.celaest.api.platform;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Personal data in an event: stored encrypted under the key of the event's {@link DataSubject}, so that
 * destroying that one key (GDPR erasure) makes the value unreadable everywhere, replays included, while the
 * stored bytes (and the hash chain over them) stay as they were. A {@code String} component, or a
 * {@code List<String>} (each element encrypted on its own). Values stored in clear before a component became
 * personal data still read.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER})
public @interface PersonalData {

    /** How an erased value reads everywhere: history, read models, exports. */
    String ERASED = "[erased]";
}
