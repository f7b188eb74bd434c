package dev.lockmanager.sample.orders;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Settings of the sample, under {@code orders}.
 *
 * @param embeddedRedis Whether to start the redis-server binary shipped by embedded-redis when nothing answers on the
 * configured local Redis port.
 * @param maxBodySize Largest request body the order API reads; a larger one is refused with 413.
 */
@ConfigurationProperties("orders")
public record OrdersProperties(@DefaultValue("true") boolean embeddedRedis, @DefaultValue("1KB") DataSize maxBodySize) {
}
