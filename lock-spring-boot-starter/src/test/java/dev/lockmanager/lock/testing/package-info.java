/**
 * Test harness running real {@code redis-server} processes, shared with other modules through this module's test-jar:
 * {@link dev.lockmanager.lock.testing.RedisServerExtension} for JUnit 5 tests,
 * {@link dev.lockmanager.lock.testing.RedisServer} for anything else.
 */
package dev.lockmanager.lock.testing;
