"""Participation over the API: the needs board, supports, co-creation votes and my points."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors, services
from .models import CoCreation, DesignOption, Need
from .serializers import (
    NeedOutputSerializer,
    PointsSerializer,
    SupportResultSerializer,
    VoteInputSerializer,
    VoteResultSerializer,
)


class NeedListApi(ListAPIView):
    """Public needs, newest first, with support counts and the projects they became."""

    permission_classes = [AllowAny]
    serializer_class = NeedOutputSerializer
    filter_backends: list = []

    def get_queryset(self):
        params = self.request.query_params
        filters = {"status": params.get("status", "")}
        rows = selectors.need_list(filters=filters)
        if category := params.get("category"):
            rows = rows.filter(category__code=category)
        if district := params.get("district"):
            rows = rows.filter(district__code=district)
        return rows


class NeedSupportApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=SupportResultSerializer)
    def post(self, request, pk: int):
        need = get_object_or_404(Need.objects.public(), pk=pk)
        counted = services.need_support(need=need, user=request.user)
        return Response({"counted": counted, "support_count": need.supports.count()}, status=201 if counted else 200)


class DesignVoteApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=VoteInputSerializer, responses=VoteResultSerializer)
    def post(self, request, code: str):
        try:
            cocreation = selectors.cocreation_for_project(code=code)
        except CoCreation.DoesNotExist:
            raise NotFound from None
        serializer = VoteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        option = DesignOption.objects.filter(cocreation=cocreation, pk=serializer.validated_data["option"]).first()
        if option is None:
            raise ApiValidationError({"option": ["Unknown option."]})
        counted = services.design_vote_cast(cocreation=cocreation, option=option, user=request.user)
        return Response({"counted": counted}, status=201 if counted else 200)


class MyPointsApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=PointsSerializer)
    def get(self, request):
        history = selectors.points_history(user=request.user).values("delta", "reason", "created_at")[:50]
        return Response({"balance": selectors.points_balance(user=request.user), "history": list(history)})
