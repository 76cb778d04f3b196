package io.celaest.server.platform.axon;

import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.common.annotation.AnnotationUtils;
import org.axonframework.modelling.command.AnnotationCommandTargetResolver;
import org.axonframework.modelling.command.CommandTargetResolver;
import org.axonframework.modelling.command.TargetAggregateIdentifier;
import org.axonframework.modelling.command.TargetAggregateVersion;
import org.axonframework.modelling.command.VersionedAggregateIdentifier;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.Optional;

/**
 * Axon's {@link AnnotationCommandTargetResolver}, minus its cost: that one scans the command class's fields and
 * methods reflectively for every command; this one finds the {@code @TargetAggregateIdentifier} field once per
 * class. Classes it does not cover (the target named by a method, or a {@code @TargetAggregateVersion}) go to
 * Axon's resolver, so the answer is always the same. A record's component annotation lands on both its field and
 * its accessor; the accessor returns the field, so a record command (all of ours) is covered by its field.
 */
public class CachedCommandTargetResolver implements CommandTargetResolver {

    private final CommandTargetResolver fallback = AnnotationCommandTargetResolver.builder().build();

    @Override
    public VersionedAggregateIdentifier resolveTarget(CommandMessage<?> command) {
        Field field = TARGET_FIELDS.get(command.getPayloadType()).orElse(null);
        if (field == null) {
            return fallback.resolveTarget(command);
        }
        Object identifier;
        try {
            identifier = field.get(command.getPayload());
        } catch (IllegalAccessException e) {
            return fallback.resolveTarget(command);
        }
        if (identifier == null) {
            // Axon's resolver reports a missing identifier with its own message
            return fallback.resolveTarget(command);
        }
        return new VersionedAggregateIdentifier(identifier, null);
    }

    /** The target identifier of a command, or null when it names none (or not through a field). */
    public Object targetOrNull(CommandMessage<?> command) {
        Field field = TARGET_FIELDS.get(command.getPayloadType()).orElse(null);
        try {
            return field != null ? field.get(command.getPayload()) : fallback.resolveTarget(command).getIdentifier();
        } catch (RuntimeException | IllegalAccessException e) {
            return null;
        }
    }

    /** Whether commands of this class are resolved from a field found once (else by Axon's reflective resolver). */
    static boolean coveredByField(Class<?> commandType) {
        return TARGET_FIELDS.get(commandType).isPresent();
    }

    private static boolean isRecordAccessor(Class<?> type, Method method) {
        return type.isRecord() && method.getParameterCount() == 0 && Arrays.stream(type.getRecordComponents())
                .map(RecordComponent::getAccessor).anyMatch(method::equals);
    }

    private static final ClassValue<Optional<Field>> TARGET_FIELDS = new ClassValue<>() {
        @Override
        protected Optional<Field> computeValue(Class<?> type) {
            Field target = null;
            for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
                for (Method method : c.getDeclaredMethods()) {
                    if (isRecordAccessor(c, method)) {
                        continue;                               // its field carries the same annotation
                    }
                    if (AnnotationUtils.isAnnotationPresent(method, TargetAggregateIdentifier.class)
                            || AnnotationUtils.isAnnotationPresent(method, TargetAggregateVersion.class)) {
                        return Optional.empty();
                    }
                }
                for (Field field : c.getDeclaredFields()) {
                    if (AnnotationUtils.isAnnotationPresent(field, TargetAggregateVersion.class)) {
                        return Optional.empty();
                    }
                    if (target == null && AnnotationUtils.isAnnotationPresent(field, TargetAggregateIdentifier.class)) {
                        target = field;
                    }
                }
            }
            if (target == null) {
                return Optional.empty();
            }
            try {
                target.setAccessible(true);
                return Optional.of(target);
            } catch (RuntimeException e) {
                return Optional.empty();
            }
        }
    };
}
