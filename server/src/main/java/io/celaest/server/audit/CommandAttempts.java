package io.celaest.server.audit;

import io.celaest.projections.audit.AuditedActions;
import jakarta.servlet.http.HttpServletRequest;
import org.axonframework.commandhandling.CommandBus;
import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.messaging.MessageDispatchInterceptor;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;

import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiFunction;

/**
 * Remembers, for the HTTP request being served, the last command it dispatched (its simple name, organization
 * and the id of the resource it is about), so that a rejection can be audited with what was attempted. Only
 * those three values are read from the command, by name; nothing else of it (a key hash, say) is looked at.
 */
@Component
public class CommandAttempts implements MessageDispatchInterceptor<CommandMessage<?>> {

    static final String ATTRIBUTE = CommandAttempts.class.getName() + ".last";

    public record Attempt(String command, UUID organizationId, String resourceId) {
    }

    public CommandAttempts(CommandBus commandBus) {
        commandBus.registerDispatchInterceptor(this);
    }

    @Override
    public BiFunction<Integer, CommandMessage<?>, CommandMessage<?>> handle(List<? extends CommandMessage<?>> messages) {
        return (index, command) -> {
            RequestAttributes request = RequestContextHolder.getRequestAttributes();
            if (request != null) {
                Object payload = command.getPayload();
                String name = command.getPayloadType().getSimpleName();
                String idField = AuditedActions.forCommand(name, null).resourceIdField();
                Object organization = component(payload, "organizationId");
                Object resource = idField == null ? null : component(payload, idField);
                request.setAttribute(ATTRIBUTE, new Attempt(name,
                                organization instanceof UUID uuid ? uuid : null,
                                resource == null ? null : resource.toString()),
                        RequestAttributes.SCOPE_REQUEST);
            }
            return command;
        };
    }

    static Attempt last(HttpServletRequest request) {
        return (Attempt) request.getAttribute(ATTRIBUTE);
    }

    private static Object component(Object payload, String name) {
        if (payload == null) {
            return null;
        }
        Method accessor = ACCESSORS.get(payload.getClass()).get(name);
        if (accessor == null) {
            return null;
        }
        try {
            return accessor.invoke(payload);
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }

    /** Each record class's component accessors by name, looked up once (reflection per command is costly). */
    private static final ClassValue<Map<String, Method>> ACCESSORS = new ClassValue<>() {
        @Override
        protected Map<String, Method> computeValue(Class<?> type) {
            if (!type.isRecord()) {
                return Map.of();
            }
            Map<String, Method> accessors = new HashMap<>();
            for (RecordComponent component : type.getRecordComponents()) {
                Method accessor = component.getAccessor();
                try {
                    accessor.setAccessible(true);
                } catch (RuntimeException e) {
                    // public accessor of a public record: invoke works without it
                }
                accessors.put(component.getName(), accessor);
            }
            return Map.copyOf(accessors);
        }
    };
}
