package io.celaest.server.platform.web;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.KeyDeserializer;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;
import org.springframework.boot.autoconfigure.jackson.Jackson2ObjectMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.io.IOException;

/**
 * Request bodies are read strictly: a number or boolean is not a string, and no string may hold a NUL
 * character (PostgreSQL text and jsonb cannot store one, so accepting it would stall a projection).
 */
@Configuration
public class StrictJsonConfiguration {

    static final String NUL_MESSAGE = "must not contain a NUL (\\u0000) character";

    @Bean
    Jackson2ObjectMapperBuilderCustomizer strictJson() {
        SimpleModule noNul = new SimpleModule("no-nul-strings");
        noNul.addDeserializer(String.class, new NulRejectingStringDeserializer());
        noNul.addKeyDeserializer(String.class, new NulRejectingKeyDeserializer());
        return builder -> builder
                .modulesToInstall(noNul)
                .postConfigurer(mapper -> mapper.coercionConfigFor(LogicalType.Textual)
                        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail));
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
