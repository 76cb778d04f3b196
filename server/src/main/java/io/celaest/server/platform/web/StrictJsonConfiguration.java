package io.celaest.server.platform.web;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.KeyDeserializer;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.celaest.api.platform.Instants;
import org.springframework.boot.autoconfigure.jackson.Jackson2ObjectMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Request bodies are read strictly: a number or boolean is not a string and a string is not a number, boolean,
 * UUID or instant ({@code ""} is not a missing value), no string may hold a NUL character (PostgreSQL text and
 * jsonb cannot store one, so accepting it would stall a projection), and an instant is an ISO-8601 string within
 * {@link Instants#RANGE}. Duplicate keys and anything after the JSON value are rejected too (application.yml).
 */
@Configuration
public class StrictJsonConfiguration {

    static final String NUL_MESSAGE = "must not contain a NUL (\\u0000) character";
    static final String INSTANT_RANGE_MESSAGE = "must be " + Instants.RANGE;

    @Bean
    Jackson2ObjectMapperBuilderCustomizer strictJson() {
        SimpleModule noNul = new SimpleModule("no-nul-strings");
        noNul.addDeserializer(String.class, new NulRejectingStringDeserializer());
        noNul.addKeyDeserializer(String.class, new NulRejectingKeyDeserializer());
        noNul.addDeserializer(Instant.class, new IsoInstantDeserializer());
        return builder -> builder
                .modulesToInstall(noNul)
                .postConfigurer(mapper -> {
                    mapper.coercionConfigFor(LogicalType.Textual)
                            .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                            .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                            .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
                    for (LogicalType scalar : List.of(LogicalType.Integer, LogicalType.Float, LogicalType.Boolean)) {
                        mapper.coercionConfigFor(scalar).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
                    }
                    mapper.coercionConfigDefaults()
                            .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail)
                            .setAcceptBlankAsEmpty(false);
                });
    }

    /**
     * The path of the key a strict parser found twice ({@code settings.theme}), or null when the error is another.
     */
    public static String duplicateKey(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof StreamReadException read && read.getProcessor() != null
                    && read.getOriginalMessage() != null && read.getOriginalMessage().startsWith("Duplicate field")) {
                Deque<String> names = new ArrayDeque<>();
                for (JsonStreamContext context = read.getProcessor().getParsingContext();
                     context != null && !context.inRoot(); context = context.getParent()) {
                    names.addFirst(context.inArray() ? "[" + context.getCurrentIndex() + "]" : context.getCurrentName());
                }
                return String.join(".", names).replace(".[", "[");
            }
        }
        return null;
    }

    private static final class IsoInstantDeserializer extends StdScalarDeserializer<Instant> {
        IsoInstantDeserializer() {
            super(Instant.class);
        }

        @Override
        public Instant deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (!p.hasToken(JsonToken.VALUE_STRING)) {
                return (Instant) ctxt.handleUnexpectedToken(Instant.class, p);
            }
            String text = p.getText();
            Instant value;
            try {
                value = Instants.parse(text);
            } catch (DateTimeException e) {
                throw InvalidFormatException.from(p, "expected an ISO-8601 instant", text, Instant.class);
            }
            if (!Instants.inRange(value)) {
                throw InvalidFormatException.from(p, INSTANT_RANGE_MESSAGE, text, Instant.class);
            }
            // PostgreSQL keeps microseconds: an answer must echo what is stored, not nanoseconds that are not
            return value.truncatedTo(ChronoUnit.MICROS);
        }
    }

    private static final class NulRejectingStringDeserializer extends StringDeserializer {
        @Override
        public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            String value = super.deserialize(p, ctxt);
            if (value != null && value.indexOf('\u0000') >= 0) {
                throw InvalidFormatException.from(p, NUL_MESSAGE, value, String.class);
            }
            return value;
        }
    }

    private static final class NulRejectingKeyDeserializer extends KeyDeserializer {
        @Override
        public Object deserializeKey(String key, DeserializationContext ctxt) throws IOException {
            if (key.indexOf('\u0000') >= 0) {
                throw InvalidFormatException.from(ctxt.getParser(), NUL_MESSAGE, key, String.class);
            }
            return key;
        }
    }
}
