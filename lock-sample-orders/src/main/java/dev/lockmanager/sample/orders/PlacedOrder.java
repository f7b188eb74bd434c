package dev.lockmanager.sample.orders;

/**
 * An order that was placed, as returned by {@code POST /order}.
 *
 * @param orderId the new order's id
 * @param itemName the ordered item
 * @param quantity how many were ordered
 * @param remainingStock the item's stock after the order
 * @param fencingToken the fencing token of the lease under which the stock was written
 */
public record PlacedOrder(long orderId, String itemName, int quantity, int remainingStock, long fencingToken) {
}
