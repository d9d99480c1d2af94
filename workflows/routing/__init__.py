"""Routing rules for new work: the rule engine and its writes (``services``), the administrators' page
(``views``, ``forms``, ``urls``) and API (``api``). Other apps call ``services.routing_assign``; they register
how a record is looked up for the test panel (``routing_record``) and the project roles (``routing_project_roles``)
from their ``AppConfig.ready()``."""
