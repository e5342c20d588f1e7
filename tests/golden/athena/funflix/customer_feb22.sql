CREATE OR REPLACE VIEW "funflix"."customer_feb22" AS

    SELECT c.customer_id, c.name, CAST(count(*) AS bigint) AS visits
    FROM (SELECT "booking_id", "customer_id", "service_id", "therapist_id", "booked_for", "status" FROM "funflix"."clinic_bookings") AS b JOIN (SELECT "customer_id", "name", "city" FROM "funflix"."clinic_customers") AS c ON c.customer_id = b.customer_id
    WHERE b.status = 'visited' AND b.booked_for >= TIMESTAMP '2022-02-01 00:00:00' AND b.booked_for < TIMESTAMP '2022-03-01 00:00:00'
    GROUP BY c.customer_id, c.name
