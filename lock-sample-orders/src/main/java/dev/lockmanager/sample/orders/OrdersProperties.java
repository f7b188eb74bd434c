package dev.lockmanager.sample.orders;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the sample, under {@code orders}.
 *
 * @param embeddedRedis Whether to start the redis-server binary shipped by embedded-redis when nothing answers on the
 * configured local Redis port.
 */
@ConfigurationProperties("orders")
public record OrdersProperties(@DefaultValue("true") boolean embeddedRedis) {
}
