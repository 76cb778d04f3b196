package io.celaest.server.platform.security;

import io.celaest.api.platform.MetadataKeys;
import org.axonframework.commandhandling.CommandBus;
import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.messaging.MessageDispatchInterceptor;
import org.springframework.stereotype.Component;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Stamps every command dispatched while serving a request with who sent it and from where (the client IP sealed
 * under the actor's key, or a license holder's under the license's, see {@link ClientIpSealer}). The correlation data providers then copy these entries onto
 * every event the command causes.
 */
@Component
public class CommandMetadataInterceptor implements MessageDispatchInterceptor<CommandMessage<?>> {

    private final ClientIpSealer clientIps;

    public CommandMetadataInterceptor(CommandBus commandBus, ClientIpSealer clientIps) {
        this.clientIps = clientIps;
        commandBus.registerDispatchInterceptor(this);
    }

    @Override
    public BiFunction<Integer, CommandMessage<?>, CommandMessage<?>> handle(List<? extends CommandMessage<?>> messages) {
        return (index, command) -> {
            RequestContext context = RequestContext.current();
            if (context == null) {
                return command;
            }
            Map<String, Object> metadata = new HashMap<>();
            metadata.put(MetadataKeys.ACTOR_ID, context.caller().actorId());
            metadata.put(MetadataKeys.ACTOR_KIND, context.caller().kind().name().toLowerCase());
            if (context.caller().organizationId() != null) {
                metadata.put(MetadataKeys.ORGANIZATION_ID, context.caller().organizationId().toString());
            }
            putIfPresent(metadata, MetadataKeys.CLIENT_IP,
                    clientIps.seal(context.caller(), context.clientIp(), command.getPayload()));
            putIfPresent(metadata, MetadataKeys.USER_AGENT, context.userAgent());
            metadata.put(MetadataKeys.CORRELATION_ID, context.correlationId());
            putIfPresent(metadata, MetadataKeys.IDEMPOTENCY_KEY, context.idempotencyKey());
            return command.andMetaData(metadata);
        };
    }

    private static void putIfPresent(Map<String, Object> metadata, String key, Object value) {
        if (value != null) {
            metadata.put(key, value);
        }
    }
}
