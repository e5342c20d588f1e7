CREATE OR REPLACE VIEW "funflix"."service_mar22" AS

    SELECT s.service_id, s.name, CAST(count(*) AS bigint) AS bookings
    FROM (SELECT "booking_id", "customer_id", "service_id", "therapist_id", "booked_for", "status" FROM "funflix"."clinic_bookings") AS b JOIN (SELECT "service_id", "name", "category" FROM "funflix"."clinic_services") AS s ON s.service_id = b.service_id
    WHERE b.booked_for >= TIMESTAMP '2022-03-01 00:00:00' AND b.booked_for < TIMESTAMP '2022-04-01 00:00:00'
    GROUP BY s.service_id, s.name
    ORDER BY bookings DESC, s.service_id
    LIMIT 1
