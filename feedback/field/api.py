"""The field over the API: record an on-site check (token or session), with the field pages' rules."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from civicworks.idempotency import idempotent
from civicworks.parsers import JSONParser

from . import selectors, services


class SiteCheckCreateApi(APIView):
    """POST multipart: `report` (id) or `project` (id), `note`, optional `photo`, `latitude` and `longitude`.

    201 with the check; 400 for bad input (both or neither target, an empty note, a photo that is
    not one); 403 for a role other than grid worker or supervisor; 404 for a report or project
    outside the user's area.
    """

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    class InputSerializer(serializers.Serializer):
        report = serializers.IntegerField(required=False, min_value=1)
        project = serializers.IntegerField(required=False, min_value=1)
        note = serializers.CharField(max_length=2000)
        photo = serializers.FileField(required=False)
        latitude = serializers.FloatField(required=False, min_value=-90, max_value=90)
        longitude = serializers.FloatField(required=False, min_value=-180, max_value=180)

        def validate(self, data):
            if ("report" in data) == ("project" in data):
                raise serializers.ValidationError("Give a report or a project, not both.")
            return data

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        report = serializers.IntegerField(source="report_id")
        project = serializers.IntegerField(source="project_id")
        note = serializers.CharField()
        photo = serializers.SerializerMethodField()
        latitude = serializers.FloatField()
        longitude = serializers.FloatField()
        created_at = serializers.DateTimeField()

        def get_photo(self, check) -> str | None:
            return check.photo.url if check.photo else None

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    @idempotent
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        given = dict(data.validated_data)
        if "report" in given:
            target = {"report": selectors.report_in_field(request.user, given.pop("report"))}
        else:
            target = {"project": selectors.project_in_field(request.user, given.pop("project"))}
        check = services.site_check_record(by=request.user, **target, **given)
        return Response(self.OutputSerializer(check).data, status=status.HTTP_201_CREATED)
